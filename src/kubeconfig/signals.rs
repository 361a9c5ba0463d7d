//! SIGINT, SIGTERM and SIGHUP wait while devk holds a kubeconfig lock: the write finishes,
//! the lock is removed, and only then does the signal take effect. Without this, Ctrl-C at the
//! wrong moment leaves `<file>.lock` behind and every later kubectl write fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::SigId;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Holds the signals back while alive. Dropping it lets them go: with `exit_on_signal`, a
/// signal that arrived meanwhile then ends the process as it would have (the CLI's case);
/// without, it is left to the program's own handlers, which saw it too (the TUI's case).
#[derive(Debug)]
pub struct SignalDefer {
    registered: Vec<(i32, SigId, Arc<AtomicBool>)>,
    exit_on_signal: bool,
}

impl SignalDefer {
    /// Starts holding the signals back. A signal that cannot be hooked is left as it is.
    pub fn new(exit_on_signal: bool) -> SignalDefer {
        let registered = SIGNALS
            .iter()
            .filter_map(|&sig| {
                let flag = Arc::new(AtomicBool::new(false));
                let id = signal_hook::flag::register(sig, Arc::clone(&flag)).ok()?;
                Some((sig, id, flag))
            })
            .collect();
        SignalDefer {
            registered,
            exit_on_signal,
        }
    }

    /// True once one of the signals arrived (a lock wait gives up then).
    pub fn pending(&self) -> bool {
        self.registered
            .iter()
            .any(|(_, _, f)| f.load(Ordering::SeqCst))
    }
}

impl Drop for SignalDefer {
    fn drop(&mut self) {
        let mut arrived = None;
        for (sig, id, flag) in self.registered.drain(..) {
            signal_hook::low_level::unregister(id);
            if flag.load(Ordering::SeqCst) && arrived.is_none() {
                arrived = Some(sig);
            }
            if self.exit_on_signal {
                // Once hooked, a signal with no action left would be ignored; keep its
                // default effect (end the process) for the rest of the run.
                let _ = signal_hook::flag::register_conditional_default(
                    sig,
                    Arc::new(AtomicBool::new(true)),
                );
            }
        }
        if self.exit_on_signal
            && let Some(sig) = arrived
        {
            let _ = signal_hook::low_level::emulate_default_handler(sig);
        }
    }
}
