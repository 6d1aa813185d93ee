//! A single-threaded, one-shot broadcast signal for tasks of one worker.
//!
//! Used to tell every connection of a worker that draining has begun and to
//! tell the worker that its last connection closed. Not `Send`: it lives on
//! one runtime. Invariant: a dropped [`Wait`] removes its waker, so waiting
//! repeatedly (once per keep-alive request) does not grow memory.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
pub struct Notify {
    fired: Cell<bool>,
    slots: RefCell<Vec<Option<Waker>>>,
    free: RefCell<Vec<usize>>,
}

impl Notify {
    pub fn new() -> Notify {
        Notify::default()
    }

    /// Fires the signal: every current and future [`Wait`] completes.
    pub fn notify_all(&self) {
        self.fired.set(true);
        let wakers: Vec<Waker> = self.slots.borrow_mut().iter_mut().filter_map(Option::take).collect();
        for w in wakers {
            w.wake();
        }
    }

    pub fn is_fired(&self) -> bool {
        self.fired.get()
    }

    /// A future that completes once the signal has fired.
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            notify: self,
            slot: None,
        }
    }

    #[cfg(test)]
    fn live_waiters(&self) -> usize {
        self.slots.borrow().len() - self.free.borrow().len()
    }
}

pub struct Wait<'a> {
    notify: &'a Notify,
    slot: Option<usize>,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.notify.fired.get() {
            return Poll::Ready(());
        }
        let waker = Some(cx.waker().clone());
        match self.slot {
            Some(i) => self.notify.slots.borrow_mut()[i] = waker,
            None => {
                let mut slots = self.notify.slots.borrow_mut();
                let i = match self.notify.free.borrow_mut().pop() {
                    Some(i) => {
                        slots[i] = waker;
                        i
                    }
                    None => {
                        slots.push(waker);
                        slots.len() - 1
                    }
                };
                drop(slots);
                self.slot = Some(i);
            }
        }
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            if let Some(s) = self.notify.slots.borrow_mut().get_mut(i) {
                *s = None;
            }
            self.notify.free.borrow_mut().push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Flag(std::sync::atomic::AtomicBool);
    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn waits_are_released_and_woken() {
        let n = Notify::new();
        let flag = std::sync::Arc::new(Flag(false.into()));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        for _ in 0..100 {
            let mut w = Box::pin(n.wait());
            assert!(w.as_mut().poll(&mut cx).is_pending());
            assert!(w.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(n.live_waiters(), 0, "dropped waits must free their slot");
        let mut w = Box::pin(n.wait());
        assert!(w.as_mut().poll(&mut cx).is_pending());
        n.notify_all();
        assert!(flag.0.load(std::sync::atomic::Ordering::SeqCst));
        assert!(w.as_mut().poll(&mut cx).is_ready());
        assert!(Box::pin(n.wait()).as_mut().poll(&mut cx).is_ready());
    }
}
