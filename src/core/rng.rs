//! The host random number generator of training runs, and its state for checkpoints.
//!
//! ChaCha12, the algorithm behind `rand`'s `StdRng` (same seeds, same streams), used directly
//! because its position can be read and restored: a resumed run draws exactly the numbers the
//! uninterrupted run would have drawn.

use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// The training runs' host generator.
pub type Rng = rand_chacha::ChaCha12Rng;

/// A generator seeded from a number.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Where a generator is in its stream: enough to continue it exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngState {
    /// The 32-byte key, hex.
    pub key: String,
    /// The stream number.
    pub stream: u64,
    /// Position in 32-bit words (decimal text: JSON numbers stop at 2⁵³).
    pub word_pos: String,
}

impl RngState {
    /// The state of `rng`.
    pub fn of(rng: &Rng) -> Self {
        Self {
            key: rng.get_seed().iter().map(|b| format!("{b:02x}")).collect(),
            stream: rng.get_stream(),
            word_pos: rng.get_word_pos().to_string(),
        }
    }

    /// The generator at this state (`None` when the text is not a state).
    pub fn restore(&self) -> Option<Rng> {
        if self.key.len() != 64 || !self.key.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = u8::from_str_radix(&self.key[2 * i..2 * i + 2], 16).ok()?;
        }
        let mut rng = Rng::from_seed(key);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos.parse().ok()?);
        Some(rng)
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng as _, SeedableRng};

    use super::*;

    #[test]
    fn same_stream_as_std_rng_and_restores_mid_stream() {
        let mut a = seeded(42);
        let mut b = StdRng::seed_from_u64(42);
        for _ in 0..100 {
            assert_eq!(a.random::<u64>(), b.random::<u64>());
        }
        let _ = a.random::<u32>();
        let state = RngState::of(&a);
        let mut back = state.restore().unwrap_or_else(|| seeded(0));
        let expected: Vec<u32> = (0..50).map(|_| a.random()).collect();
        let got: Vec<u32> = (0..50).map(|_| back.random()).collect();
        assert_eq!(got, expected);
        let bad = RngState {
            key: "zz".into(),
            ..state
        };
        assert!(bad.restore().is_none());
    }
}
