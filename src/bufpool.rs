//! A worker's pool of I/O buffers, so that a connection holds a buffer only
//! while it has bytes to move, never while it is idle.
//!
//! Owns: free lists of byte buffers in three size classes ([`HEAD`] for
//! request heads, [`BODY`] for client bodies, [`LARGE`] for backend
//! responses) and the counters that show them.
//!
//! Invariants:
//! - a [`PoolBuf`] taken from the pool goes back to it when dropped, also when
//!   it is dropped late (by an I/O operation that was cancelled and completed
//!   afterwards): no code path has to remember to return it, so buffers cannot
//!   leak out of the accounting;
//! - [`BufPool::in_use`] is the number of pooled buffers alive outside the
//!   pool; it is 0 when no connection is moving bytes;
//! - each free list keeps at most its class's bound of buffers (the rest are
//!   freed), and a buffer that grew past twice its class's size is freed
//!   rather than kept, so the pool's idle memory is bounded;
//! - single-threaded (`Rc`, `Cell`): one pool per worker, no atomics.
//!
//! Needs nothing from the gateway: it could be a crate of its own.

use monoio::buf::{IoBuf, IoBufMut};
use std::cell::{Cell, RefCell};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

/// Request heads: most fit (nginx starts with 1 KiB); larger ones grow.
pub const HEAD: usize = 2 * 1024;
/// Client request bodies.
pub const BODY: usize = 16 * 1024;
/// Backend responses.
pub const LARGE: usize = 64 * 1024;

const CLASSES: [usize; 3] = [HEAD, BODY, LARGE];
/// How many free buffers each class keeps (idle memory ≤ 256 × 2 KiB +
/// 64 × 16 KiB + 32 × 64 KiB, with growth ≤ 2×: about 9 MiB per worker).
const KEEP: [usize; 3] = [256, 64, 32];

struct Shelf {
    free: [RefCell<Vec<Vec<u8>>>; 3],
    in_use: Cell<usize>,
    allocated: Cell<u64>,
}

impl Shelf {
    fn give_back(&self, mut vec: Vec<u8>) {
        self.in_use.set(self.in_use.get().saturating_sub(1));
        let cap = vec.capacity();
        // The largest class this buffer can serve, unless it grew too big.
        let Some(i) = (0..CLASSES.len()).rev().find(|&i| cap >= CLASSES[i]) else {
            return;
        };
        if cap > 2 * CLASSES[i] {
            return;
        }
        let mut list = self.free[i].borrow_mut();
        if list.len() < KEEP[i] {
            vec.clear();
            list.push(vec);
        }
    }
}

/// A worker's buffer pool (cheap to clone: a shared handle).
#[derive(Clone)]
pub struct BufPool(Rc<Shelf>);

impl Default for BufPool {
    fn default() -> Self {
        BufPool::new()
    }
}

impl BufPool {
    pub fn new() -> BufPool {
        BufPool(Rc::new(Shelf {
            free: Default::default(),
            in_use: Cell::new(0),
            allocated: Cell::new(0),
        }))
    }

    /// An empty buffer with at least `min` bytes of capacity: a free one of
    /// the smallest class that fits, or a new allocation.
    pub fn take(&self, min: usize) -> PoolBuf {
        let shelf = &self.0;
        shelf.in_use.set(shelf.in_use.get() + 1);
        let i = CLASSES.iter().position(|&c| c >= min);
        let vec = i.and_then(|i| shelf.free[i].borrow_mut().pop()).unwrap_or_else(|| {
            shelf.allocated.set(shelf.allocated.get() + 1);
            Vec::with_capacity(i.map_or(min, |i| CLASSES[i]))
        });
        PoolBuf {
            vec,
            home: Some(self.0.clone()),
        }
    }

    /// Pooled buffers alive outside the pool.
    pub fn in_use(&self) -> usize {
        self.0.in_use.get()
    }

    /// Free buffers kept by the pool.
    pub fn idle(&self) -> usize {
        self.0.free.iter().map(|l| l.borrow().len()).sum()
    }

    /// Buffers allocated since the pool was made (misses of the free lists).
    pub fn allocated(&self) -> u64 {
        self.0.allocated.get()
    }
}

/// A byte buffer that returns to its pool when dropped (or is simply freed
/// when it has no pool). Derefs to the `Vec<u8>` it wraps.
pub struct PoolBuf {
    vec: Vec<u8>,
    home: Option<Rc<Shelf>>,
}

impl PoolBuf {
    /// A buffer with no pool and no allocation (holds nothing).
    pub fn empty() -> PoolBuf {
        PoolBuf::unpooled(Vec::new())
    }

    /// Wraps a plain vector (freed on drop, never pooled).
    pub fn unpooled(vec: Vec<u8>) -> PoolBuf {
        PoolBuf { vec, home: None }
    }

    /// Whether this buffer holds an allocation (or pool slot).
    pub fn is_held(&self) -> bool {
        self.home.is_some() || self.vec.capacity() > 0
    }
}

impl Default for PoolBuf {
    fn default() -> Self {
        PoolBuf::empty()
    }
}

impl Drop for PoolBuf {
    fn drop(&mut self) {
        if let Some(home) = self.home.take() {
            home.give_back(std::mem::take(&mut self.vec));
        }
    }
}

impl Deref for PoolBuf {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.vec
    }
}

impl DerefMut for PoolBuf {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.vec
    }
}

// SAFETY: delegates to `Vec<u8>`'s own implementation. The pointer is the
// vector's heap allocation, which does not move when the `PoolBuf` moves
// (only the vector's header does), and `bytes_init` is its length.
unsafe impl IoBuf for PoolBuf {
    fn read_ptr(&self) -> *const u8 {
        IoBuf::read_ptr(&self.vec)
    }
    fn bytes_init(&self) -> usize {
        IoBuf::bytes_init(&self.vec)
    }
}

// SAFETY: delegates to `Vec<u8>`'s own implementation (pointer to the heap
// allocation, capacity as the total, `set_init` sets the length to bytes the
// operation initialised, which monoio guarantees are within capacity).
unsafe impl IoBufMut for PoolBuf {
    fn write_ptr(&mut self) -> *mut u8 {
        IoBufMut::write_ptr(&mut self.vec)
    }
    fn bytes_total(&mut self) -> usize {
        IoBufMut::bytes_total(&mut self.vec)
    }
    unsafe fn set_init(&mut self, pos: usize) {
        // SAFETY: the caller (a completed read) initialised `pos` bytes.
        unsafe { IoBufMut::set_init(&mut self.vec, pos) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_when_dropped_and_are_reused() {
        let pool = BufPool::new();
        let a = pool.take(100);
        assert_eq!(a.capacity(), HEAD);
        let b = pool.take(HEAD + 1);
        assert_eq!(b.capacity(), BODY);
        assert_eq!(pool.in_use(), 2);
        drop(a);
        drop(b);
        assert_eq!((pool.in_use(), pool.idle(), pool.allocated()), (0, 2, 2));
        let c = pool.take(10);
        assert_eq!((c.capacity(), pool.allocated()), (HEAD, 2), "a free buffer is reused");
        drop(c);
    }

    #[test]
    fn grown_buffers_serve_their_class_and_oversized_ones_are_freed() {
        let pool = BufPool::new();
        let mut a = pool.take(1);
        a.reserve(BODY); // grows to a body-sized buffer
        drop(a);
        assert!(pool.take(BODY).capacity() >= BODY);
        assert_eq!(pool.allocated(), 1, "the grown head buffer served a body");
        let mut big = pool.take(LARGE);
        big.reserve(4 * LARGE);
        drop(big);
        // Only the body-sized buffer is kept: the oversized one was freed.
        assert_eq!((pool.in_use(), pool.idle()), (0, 1), "an oversized buffer is freed");
        let huge = pool.take(10 * LARGE);
        assert!(huge.capacity() >= 10 * LARGE);
        drop(huge);
        assert_eq!(pool.idle(), 1);
    }

    #[test]
    fn free_lists_are_bounded() {
        let pool = BufPool::new();
        let bufs: Vec<_> = (0..KEEP[0] + 10).map(|_| pool.take(1)).collect();
        drop(bufs);
        assert_eq!((pool.in_use(), pool.idle()), (0, KEEP[0]));
    }

    #[test]
    fn unpooled_buffers_touch_no_pool() {
        let pool = BufPool::new();
        let e = PoolBuf::empty();
        assert!(!e.is_held());
        let u = PoolBuf::unpooled(Vec::with_capacity(10));
        assert!(u.is_held());
        drop((e, u));
        assert_eq!((pool.in_use(), pool.idle()), (0, 0));
    }

    #[test]
    fn io_buf_views_match_the_vector() {
        let pool = BufPool::new();
        let mut b = pool.take(1);
        b.extend_from_slice(b"abc");
        assert_eq!(IoBuf::bytes_init(&b), 3);
        assert_eq!(IoBuf::read_ptr(&b), b.as_ptr());
        assert_eq!(IoBufMut::bytes_total(&mut b), b.capacity());
        let p = IoBufMut::write_ptr(&mut b);
        // SAFETY: capacity ≥ 4; the byte at 3 is written before set_init(4).
        unsafe {
            *p.add(3) = b'd';
            IoBufMut::set_init(&mut b, 4);
        }
        assert_eq!(&b[..], b"abcd");
        // A real read into a pooled buffer through monoio.
        crate::readiness::test_socket::run(|| async {
            use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
            let (mut c, mut s) = crate::readiness::test_socket::pair().await;
            let (r, _) = c.write_all(b"hello".to_vec()).await;
            r.unwrap();
            let buf = pool.take(1);
            let (n, buf) = s.read(buf).await;
            assert_eq!(&buf[..n.unwrap()], b"hello");
        });
        drop(b);
        assert_eq!(pool.in_use(), 0);
    }
}
