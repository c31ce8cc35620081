//! An allocator that keeps the last freed block aside for the next
//! allocation of exactly its layout; everything else goes to the allocator
//! it wraps. The wasm package's global allocator is talc wrapped in it
//! (`src/wasm/mod.rs`): every `StreamDecoder.push` copies its piece into a
//! fresh allocation (wasm-bindgen's malloc for the `Uint8Array` argument)
//! and frees it on return, nearly always at the size of the piece before,
//! and talc's allocate and free (its gap bookkeeping) cost more than taking
//! the spare back. Measured (Node 20, `StreamDecoder.push` over the bench
//! corpus, talc with and without the spare built alike and interleaved in
//! one run, two runs at load ~2): at 64 B pieces, the size of a trickling
//! stream's reads, +2–7 % on chat, responses and messages and +17 % on
//! Gemini; at 4096 B pieces 1–6 % slower (fewer, larger pushes).
//!
//! Compiled for the wasm package, and natively for its tests, which run it
//! over `System` with a ledger of the layouts lent (the cell makes it
//! single-threaded: not `Sync` natively).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ptr::NonNull;

/// Larger freed blocks go back at once: a spare pins its memory.
const SPARE_MAX: usize = 64 * 1024;

/// `A` with a one-block cache of the last freed block.
pub(crate) struct Spare<A> {
    inner: A,
    /// A freed block not yet given back to `inner`, with its layout.
    spare: Cell<Option<(NonNull<u8>, Layout)>>,
}

impl<A> Spare<A> {
    pub(crate) const fn new(inner: A) -> Self {
        Spare {
            inner,
            spare: Cell::new(None),
        }
    }
}

// SAFETY: the wasm package is single-threaded (talc's wasm allocator does
// not build for wasm with atomics), so `spare` is never reached from two
// threads, nor re-entered: the inner allocator never calls back into the
// global allocator.
#[cfg(target_arch = "wasm32")]
unsafe impl<A> Sync for Spare<A> {}

// SAFETY: every block handed out is either the inner allocator's or a freed
// block of exactly the requested layout, which nothing else owns once it is
// taken out of `spare`; every block given back reaches the inner allocator
// with the layout it was allocated with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Spare<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some((ptr, spare)) = self.spare.get() {
            if spare == layout {
                self.spare.set(None);
                return ptr.as_ptr();
            }
        }
        // SAFETY: the caller's contract (non-zero size) passes on.
        unsafe { self.inner.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // This block becomes the spare; the one it replaces goes back.
        let (ptr, layout) = match NonNull::new(ptr) {
            Some(p) if layout.size() <= SPARE_MAX => match self.spare.replace(Some((p, layout))) {
                Some((old, old_layout)) => (old.as_ptr(), old_layout),
                None => return,
            },
            _ => (ptr, layout),
        };
        // SAFETY: `ptr` was allocated with `layout` and is owned here.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a live block of `layout` (never the spare).
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::alloc::System;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// `System`, keeping the layout of every block it handed out: a block
    /// must come back with the layout it went out with, and all must come
    /// back.
    #[derive(Default)]
    struct Ledger {
        live: RefCell<HashMap<usize, Layout>>,
    }

    impl Ledger {
        fn returned(&self, ptr: *mut u8, layout: Layout) {
            let lent = self.live.borrow_mut().remove(&(ptr as usize));
            assert_eq!(lent, Some(layout), "a block came back with another layout");
        }
    }

    // SAFETY: every call passes on to `System` with the caller's arguments.
    unsafe impl GlobalAlloc for Ledger {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract passes on.
            let ptr = unsafe { System.alloc(layout) };
            self.live.borrow_mut().insert(ptr as usize, layout);
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.returned(ptr, layout);
            // SAFETY: as above.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            self.returned(ptr, layout);
            // SAFETY: as above.
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
            self.live.borrow_mut().insert(new as usize, new_layout);
            new
        }
    }

    /// What a test does to the allocator.
    #[derive(Debug, Clone)]
    enum Op {
        /// Allocate `size` bytes aligned to `1 << align_log2`.
        Alloc { size: usize, align_log2: u32 },
        /// Free the live block at this index (modulo the live count).
        Free(usize),
        /// Resize the live block at this index to `size`.
        Realloc(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        // Sizes cluster on a few values, as pushes of equal pieces do, so
        // the spare is taken back often; some exceed SPARE_MAX.
        let size = prop_oneof![
            4 => prop_oneof![Just(1usize), Just(7), Just(64), Just(4096), Just(SPARE_MAX)],
            2 => 1usize..300,
            1 => SPARE_MAX - 8..SPARE_MAX + 300,
        ];
        prop_oneof![
            3 => (size.clone(), 0u32..7).prop_map(|(size, align_log2)| Op::Alloc { size, align_log2 }),
            2 => any::<usize>().prop_map(Op::Free),
            1 => (any::<usize>(), size).prop_map(|(i, size)| Op::Realloc(i, size)),
        ]
    }

    /// A live block: where, its layout, and the byte every one of its bytes holds.
    struct Block {
        ptr: *mut u8,
        layout: Layout,
        fill: u8,
    }

    fn fill(block: &Block) {
        // SAFETY: the block is live and `layout.size()` bytes long.
        unsafe { std::ptr::write_bytes(block.ptr, block.fill, block.layout.size()) };
    }

    fn intact(block: &Block) -> bool {
        // SAFETY: as in `fill`.
        let bytes = unsafe { std::slice::from_raw_parts(block.ptr, block.layout.size()) };
        bytes.iter().all(|&b| b == block.fill)
    }

    /// Gives the spare back at the end of a test, and checks that every
    /// block went back to the inner allocator.
    fn give_back(a: &Spare<Ledger>) {
        if let Some((ptr, layout)) = a.spare.take() {
            // SAFETY: the spare is a block the ledger lent with `layout`.
            unsafe { a.inner.dealloc(ptr.as_ptr(), layout) };
        }
        assert!(a.inner.live.borrow().is_empty(), "blocks never given back");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Every block is aligned as asked, no two live blocks overlap, no
        /// operation changes the contents of another block (or of the part
        /// of a resized block that it keeps), and `System` gets every block
        /// back with its layout.
        #[test]
        fn blocks_stay_aligned_disjoint_and_intact(ops in prop::collection::vec(op(), 1..80)) {
            let a = Spare::new(Ledger::default());
            let mut live: Vec<Block> = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                let fill_byte = (n % 251) as u8 + 1;
                match op {
                    Op::Alloc { size, align_log2 } => {
                        let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                        // SAFETY: size ≥ 1.
                        let ptr = unsafe { a.alloc(layout) };
                        prop_assert!(!ptr.is_null());
                        prop_assert_eq!(ptr as usize % layout.align(), 0);
                        let block = Block { ptr, layout, fill: fill_byte };
                        fill(&block);
                        live.push(block);
                    }
                    Op::Free(i) if !live.is_empty() => {
                        let block = live.swap_remove(i % live.len());
                        prop_assert!(intact(&block));
                        // SAFETY: live block of this layout.
                        unsafe { a.dealloc(block.ptr, block.layout) };
                    }
                    Op::Realloc(i, size) if !live.is_empty() => {
                        let i = i % live.len();
                        let old = &live[i];
                        prop_assert!(intact(old));
                        let kept = old.layout.size().min(size);
                        // SAFETY: live block of this layout; size ≥ 1.
                        let ptr = unsafe { a.realloc(old.ptr, old.layout, size) };
                        prop_assert!(!ptr.is_null());
                        prop_assert_eq!(ptr as usize % old.layout.align(), 0);
                        // SAFETY: the first `kept` bytes are the old block's.
                        let head = unsafe { std::slice::from_raw_parts(ptr, kept) };
                        prop_assert!(head.iter().all(|&b| b == old.fill));
                        let layout = Layout::from_size_align(size, old.layout.align()).unwrap();
                        live[i] = Block { ptr, layout, fill: fill_byte };
                        fill(&live[i]);
                    }
                    _ => {}
                }
                for block in &live {
                    prop_assert!(intact(block), "block changed by op {}", n);
                }
                let mut spans: Vec<(usize, usize)> =
                    live.iter().map(|b| (b.ptr as usize, b.ptr as usize + b.layout.size())).collect();
                spans.sort_unstable();
                prop_assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "live blocks overlap");
            }
            for block in live {
                // SAFETY: live block of this layout.
                unsafe { a.dealloc(block.ptr, block.layout) };
            }
            give_back(&a);
        }
    }

    #[test]
    fn a_freed_block_is_handed_out_again_for_its_exact_layout_only() {
        let a = Spare::new(Ledger::default());
        let layout = Layout::from_size_align(4096, 1).unwrap();
        // SAFETY: non-zero sizes; every block is freed with its layout.
        unsafe {
            let first = a.alloc(layout);
            a.dealloc(first, layout);
            let other = a.alloc(Layout::from_size_align(4096, 8).unwrap());
            assert_ne!(other, first, "another alignment does not take the spare");
            let again = a.alloc(layout);
            assert_eq!(again, first, "the same layout takes the spare back");
            a.dealloc(other, Layout::from_size_align(4096, 8).unwrap());
            a.dealloc(again, layout);
            let big = Layout::from_size_align(SPARE_MAX + 1, 1).unwrap();
            let large = a.alloc(big);
            a.dealloc(large, big);
            assert_eq!(
                a.spare.get().map(|(p, _)| p.as_ptr()),
                Some(again),
                "a large block is not kept"
            );
        }
        give_back(&a);
    }
}
