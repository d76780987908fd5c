//! Reading a fetched file's body with progress: the worker's data and weights, the page's
//! pretrained models. Streams are read through `js_sys::Reflect` (the crate binds no stream
//! types), in the window and in workers alike.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `url` with `v=build` added to its query string: the build's id, so that no cache answers
/// with another build's file.
pub fn with_version(url: &str, build: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}v={build}")
}

/// Milliseconds between two progress reports.
const EVERY_MS: f64 = 100.0;

/// Calls the JS method `name` of `target` without arguments.
fn call(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(target, &name.into())?
        .dyn_into::<js_sys::Function>()?
        .call0(target)
}

/// Constructs the global JS class `name` with `args`.
fn construct(name: &str, args: &js_sys::Array) -> Result<JsValue, JsValue> {
    let class =
        js_sys::Reflect::get(&js_sys::global(), &name.into())?.dyn_into::<js_sys::Function>()?;
    js_sys::Reflect::construct(&class, args)
}

/// Whether this browser can inflate gzip ([`gunzip`]).
pub fn can_gunzip() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"DecompressionStream".into()).unwrap_or(false)
}

/// Inflates gzipped `bytes` (named `url` in messages) with the browser's DecompressionStream.
pub async fn gunzip(bytes: &[u8], url: &str) -> Result<Vec<u8>, String> {
    let inflate = async {
        let stream = construct("DecompressionStream", &js_sys::Array::of1(&"gzip".into()))?;
        let blob = construct(
            "Blob",
            &js_sys::Array::of1(&js_sys::Array::of1(&js_sys::Uint8Array::from(bytes))),
        )?;
        let raw = call(&blob, "stream")?;
        let inflated = js_sys::Reflect::get(&raw, &"pipeThrough".into())?
            .dyn_into::<js_sys::Function>()?
            .call1(&raw, &stream)?;
        let response = construct("Response", &js_sys::Array::of1(&inflated))?;
        let buffer = JsFuture::from(js_sys::Promise::from(call(&response, "arrayBuffer")?)).await?;
        Ok::<_, JsValue>(js_sys::Uint8Array::new(&buffer).to_vec())
    };
    inflate.await.map_err(|e| failed(url, e))
}

/// `url: message` for a failed JS call.
fn failed(url: &str, e: JsValue) -> String {
    let detail = e.as_string().or_else(|| {
        js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
    });
    format!("{url}: {}", detail.unwrap_or_else(|| format!("{e:?}")))
}

/// The body of `response` (fetched from `url`, for messages), calling `progress(bytes so far,
/// total when the server said)` at most every 100 ms and once at the end (with the total).
pub async fn read_body(
    response: &web_sys::Response,
    url: &str,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let header = |name: &str| {
        js_sys::Reflect::get(response, &"headers".into())
            .and_then(|h| {
                js_sys::Reflect::get(&h, &"get".into())?
                    .dyn_into::<js_sys::Function>()?
                    .call1(&h, &name.into())
            })
            .ok()
            .and_then(|v| v.as_string())
    };
    // A compressed response's length is not the body's.
    let total = header("content-length")
        .filter(|_| header("content-encoding").is_none())
        .and_then(|v| v.parse::<u64>().ok());
    let body = js_sys::Reflect::get(response, &"body".into()).map_err(|e| failed(url, e))?;
    if body.is_null() || body.is_undefined() {
        return Err(format!("{url}: the response has no body"));
    }
    let reader = call(&body, "getReader").map_err(|e| failed(url, e))?;
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    let mut reported = js_sys::Date::now();
    loop {
        let read = call(&reader, "read").map_err(|e| failed(url, e))?;
        let chunk = JsFuture::from(js_sys::Promise::from(read))
            .await
            .map_err(|e| failed(url, e))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_or(true, |d| d.is_truthy());
        if done {
            break;
        }
        if let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) {
            let value = js_sys::Uint8Array::new(&value);
            let at = bytes.len();
            bytes.resize(at + value.length() as usize, 0);
            value.copy_to(&mut bytes[at..]);
        }
        if js_sys::Date::now() - reported > EVERY_MS {
            reported = js_sys::Date::now();
            // A compressed response's length is not the body's: no total then.
            progress(
                bytes.len() as u64,
                total.filter(|&t| t >= bytes.len() as u64),
            );
        }
    }
    progress(bytes.len() as u64, Some(bytes.len() as u64));
    Ok(bytes)
}
