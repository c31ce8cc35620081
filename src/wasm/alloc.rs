//! The package's global allocator: talc, plus one spare block.
//!
//! Every `StreamDecoder.push` allocates its piece's copy (wasm-bindgen's
//! malloc for the `Uint8Array` argument) and frees it on return, nearly
//! always at the size of the piece before; talc's allocate and free (its
//! gap bookkeeping) were about a tenth of a push that completes no event.
//! So the last freed block is kept aside and handed out again to the next
//! allocation of exactly its layout; any other allocation goes to talc.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ptr::NonNull;

use talc::wasm::{new_wasm_dynamic_allocator, WasmDynamicTalc};

/// Larger freed blocks go back to talc at once: a spare pins its memory.
const SPARE_MAX: usize = 64 * 1024;

/// talc with a one-block cache of the last freed block.
pub(crate) struct SpareTalc {
    talc: WasmDynamicTalc,
    /// A freed block not yet given back to talc, with its layout.
    spare: Cell<Option<(NonNull<u8>, Layout)>>,
}

// SAFETY: the package is single-threaded wasm (talc's `new_wasm` refuses
// to build for wasm with atomics), so `spare` is never reached from two
// threads, nor re-entered: talc never calls back into the global allocator.
unsafe impl Sync for SpareTalc {}

impl SpareTalc {
    /// An allocator that takes its memory from the wasm memory as needed.
    pub(crate) const fn new() -> Self {
        SpareTalc {
            talc: new_wasm_dynamic_allocator(),
            spare: Cell::new(None),
        }
    }
}

// SAFETY: every block handed out is either talc's or a freed block of
// exactly the requested layout, which nothing else owns once it is taken
// out of `spare`; every block given back reaches talc with its layout.
unsafe impl GlobalAlloc for SpareTalc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some((ptr, spare)) = self.spare.get() {
            if spare == layout {
                self.spare.set(None);
                return ptr.as_ptr();
            }
        }
        // SAFETY: the caller's contract (non-zero size) passes on.
        unsafe { self.talc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // This block becomes the spare; the one it replaces goes to talc.
        let (ptr, layout) = match NonNull::new(ptr) {
            Some(p) if layout.size() <= SPARE_MAX => match self.spare.replace(Some((p, layout))) {
                Some((old, old_layout)) => (old.as_ptr(), old_layout),
                None => return,
            },
            _ => (ptr, layout),
        };
        // SAFETY: `ptr` was allocated with `layout` and is owned here.
        unsafe { self.talc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a live block of `layout` (never the spare).
        unsafe { self.talc.realloc(ptr, layout, new_size) }
    }
}
