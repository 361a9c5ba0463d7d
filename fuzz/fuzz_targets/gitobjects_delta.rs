//! Git deltas: any delta applied to any base gives the result it declares or is refused,
//! without allocating more than the delta can produce. The first byte is the base's length.
#![no_main]

use devk_gitobjects::pack::apply_delta;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first() else {
        return;
    };
    let (base, delta) = rest.split_at(usize::from(*len).min(rest.len()));
    let mut out = Vec::new();
    if apply_delta(base, delta, &mut out).is_ok() {
        // Every byte came from an insert or a copy of the base.
        assert!(out.len() <= delta.len().saturating_mul(1 << 24).max(delta.len()));
    }
});
