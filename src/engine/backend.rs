//! Where a task's compute runs: the page probes WebGPU once and starts the matching worker
//! build, a CPU worker (Burn's flex backend only, so its default device is the CPU and a saved
//! optimiser state loads) or a GPU worker (WebGPU, falling back to the CPU if it fails).

use super::protocol::BackendChoice;

/// What `navigator.gpu.requestAdapter()` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterProbe {
    /// `adapter.info.vendor`.
    pub vendor: String,
    /// `adapter.info.architecture`.
    pub architecture: String,
    /// A software fallback (SwiftShader, `isFallbackAdapter`).
    pub software: bool,
}

impl AdapterProbe {
    /// "vendor (architecture)", with placeholders for empty fields.
    pub fn name(&self) -> String {
        let or = |s: &str, none: &'static str| {
            if s.is_empty() {
                none.to_string()
            } else {
                s.to_string()
            }
        };
        format!(
            "{} ({})",
            or(&self.vendor, "unknown vendor"),
            or(&self.architecture, "unknown architecture")
        )
    }
}

/// A worker build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerKind {
    /// The CPU worker (flex backend only).
    Cpu,
    /// The GPU worker (WebGPU, with the CPU as fallback).
    Gpu,
}

impl WorkerKind {
    /// Trunk's loader for the worker bin, relative to the page.
    pub fn url(self) -> &'static str {
        match self {
            WorkerKind::Cpu => "./worker_loader.js",
            WorkerKind::Gpu => "./worker_gpu_loader.js",
        }
    }
}

/// The thread pool of the CPU worker: `Some(n)` starts the threaded build with `n` threads,
/// `None` the single-thread one. Threads need a cross-origin isolated page (shared memory) and
/// a build that has the threaded worker; `wish` is the address's `threads=` (1 asks for the
/// single-thread build), else a worker that trains gets one thread per core and one that only
/// draws (the gallery, whose first grid must come fast and which needs no pool) the
/// single-thread build, which starts sooner.
pub fn cpu_threads(
    isolated: bool,
    built: bool,
    cores: u32,
    wish: Option<u32>,
    trains: bool,
) -> Option<u32> {
    let n = wish.unwrap_or(if trains { cores } else { 1 });
    (isolated && built && n > 1).then_some(n)
}

/// Which worker to start, and why the CPU when it was not the user's wish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The worker build.
    pub worker: WorkerKind,
    /// Why the CPU runs the task (`None` on the GPU).
    pub reason: Option<String>,
}

/// Auto: WebGPU on a hardware adapter, else the CPU (with the reason); `Gpu`: WebGPU whenever
/// an adapter exists, even a software one; `Cpu`: the CPU.
pub fn place(choice: BackendChoice, probe: Result<AdapterProbe, String>) -> Placement {
    let cpu = |reason: String| Placement {
        worker: WorkerKind::Cpu,
        reason: Some(reason),
    };
    if choice == BackendChoice::Cpu {
        return cpu("CPU chosen by you".into());
    }
    match probe {
        Err(reason) => cpu(reason),
        Ok(p) if p.software && choice == BackendChoice::Auto => cpu(format!(
            "the WebGPU adapter {} is a software fallback, about 50× slower than the CPU path; force GPU with ?backend=gpu",
            p.name()
        )),
        Ok(_) => Placement {
            worker: WorkerKind::Gpu,
            reason: None,
        },
    }
}

/// Asks `navigator.gpu` for an adapter (`navigator` of the window or of a worker).
#[cfg(feature = "web")]
pub async fn probe_adapter(navigator: &wasm_bindgen::JsValue) -> Result<AdapterProbe, String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    let get = |obj: &JsValue, key: &str| {
        js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
    };
    let failed = |what: &str, e: JsValue| {
        let detail = e
            .as_string()
            .or_else(|| get(&e, "message").as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        format!("{what}: {detail}")
    };
    let gpu = get(navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser exposes no WebGPU".into());
    }
    let request: js_sys::Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is missing")?;
    let promise: js_sys::Promise = request
        .call0(&gpu)
        .map_err(|e| failed("requestAdapter", e))?
        .dyn_into()
        .map_err(|_| "requestAdapter returned no promise")?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| failed("requestAdapter", e))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU is present but offers no adapter".into());
    }
    let info = get(&adapter, "info");
    let text = |v: JsValue| v.as_string().unwrap_or_default();
    let architecture = text(get(&info, "architecture"));
    let fallback = get(&info, "isFallbackAdapter")
        .as_bool()
        .or_else(|| get(&adapter, "isFallbackAdapter").as_bool())
        .unwrap_or(false);
    Ok(AdapterProbe {
        vendor: text(get(&info, "vendor")),
        software: fallback || architecture.eq_ignore_ascii_case("swiftshader"),
        architecture,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(software: bool) -> Result<AdapterProbe, String> {
        Ok(AdapterProbe {
            vendor: "google".into(),
            architecture: if software { "swiftshader" } else { "ampere" }.into(),
            software,
        })
    }

    #[test]
    fn threads_need_isolation_a_threaded_build_and_more_than_one_thread() {
        assert_eq!(cpu_threads(true, true, 4, None, true), Some(4));
        assert_eq!(cpu_threads(true, true, 4, Some(2), true), Some(2));
        assert_eq!(cpu_threads(true, true, 1, Some(3), true), Some(3));
        assert_eq!(cpu_threads(true, true, 4, Some(1), true), None);
        assert_eq!(cpu_threads(true, true, 1, None, true), None);
        assert_eq!(cpu_threads(false, true, 4, None, true), None);
        assert_eq!(cpu_threads(true, false, 4, Some(2), true), None);
        // A worker that only draws gets a pool only when the address asks for one.
        assert_eq!(cpu_threads(true, true, 4, None, false), None);
        assert_eq!(cpu_threads(true, true, 4, Some(2), false), Some(2));
    }

    #[test]
    fn auto_uses_only_a_hardware_adapter_and_says_why_not() {
        use BackendChoice::*;
        assert_eq!(place(Auto, probe(false)).worker, WorkerKind::Gpu);
        let soft = place(Auto, probe(true));
        assert_eq!(soft.worker, WorkerKind::Cpu);
        assert!(
            soft.reason
                .unwrap_or_default()
                .contains("software fallback")
        );
        assert_eq!(place(Gpu, probe(true)).worker, WorkerKind::Gpu);
        let none = place(Gpu, Err("this browser exposes no WebGPU".into()));
        assert_eq!(none.worker, WorkerKind::Cpu);
        assert!(none.reason.unwrap_or_default().contains("no WebGPU"));
        assert_eq!(place(Cpu, probe(false)).worker, WorkerKind::Cpu);
    }
}
