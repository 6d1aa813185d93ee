//! Sorting and binary search as `Array.Sort`/`List.Sort` and
//! `BinarySearch` do them: a port of .NET's introspective sort
//! (`ArraySortHelper<T>`: insertion sort up to 16 elements, median-of-three
//! quicksort, heapsort past the depth limit). It is *unstable* exactly as
//! .NET's is, so a comparison that ties distinct elements orders them as
//! .NET would. (LINQ's `OrderBy` is stable and uses Rust's stable sort.)
//!
//! Comparisons are fallible (a lambda may throw, values may not be
//! comparable): the first error stops the sort. .NET wraps a comparer's
//! exception in `InvalidOperationException("Failed to compare two
//! elements in the array.")`; so does [`wrap_compare_error`]. A comparer
//! that is inconsistent (would run the partition off the slice) is
//! .NET's `ArgumentException` ("IComparer.Compare() method returns
//! inconsistent results"), never a panic.
//!
//! Invariants: recursion depth is bounded by the depth limit
//! (2·(log2 n + 1) ≤ 64); every index is checked.

use std::cmp::Ordering;

use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// A fallible comparison.
pub type Compare<'c, T> = dyn FnMut(&T, &T) -> EvalResult<Ordering> + 'c;

const INTROSORT_THRESHOLD: usize = 16;

/// Sorts `v` in place as .NET's `Array.Sort(T[], Comparison<T>)`.
pub fn introsort<T: Clone>(v: &mut [T], cmp: &mut Compare<'_, T>) -> EvalResult<()> {
    if v.len() > 1 {
        let depth = 2 * (v.len().ilog2() as usize + 1);
        intro(v, depth, cmp)?;
    }
    Ok(())
}

/// .NET's message for a comparer that throws (budget errors pass through).
pub fn wrap_compare_error(e: EvalError) -> EvalError {
    match e.kind {
        EvalErrorKind::Budget => e,
        _ => EvalError::new(
            EvalErrorKind::InvalidOperation,
            format!("Failed to compare two elements in the array. ---> {e}"),
        ),
    }
}

fn bad_comparer() -> EvalError {
    EvalError::argument(
        "Unable to sort because the IComparer.Compare() method returns inconsistent results. Either a value does not compare equal to itself, or one value repeatedly compared to another value yields different results.",
    )
}

fn get<T>(v: &[T], i: usize) -> EvalResult<&T> {
    v.get(i).ok_or_else(bad_comparer)
}

fn intro<T: Clone>(v: &mut [T], mut depth: usize, cmp: &mut Compare<'_, T>) -> EvalResult<()> {
    let mut size = v.len();
    while size > 1 {
        let part = v.get_mut(..size).ok_or_else(bad_comparer)?;
        if size <= INTROSORT_THRESHOLD {
            return match size {
                2 => swap_if_greater(part, cmp, 0, 1),
                3 => {
                    swap_if_greater(part, cmp, 0, 1)?;
                    swap_if_greater(part, cmp, 0, 2)?;
                    swap_if_greater(part, cmp, 1, 2)
                }
                _ => insertion_sort(part, cmp),
            };
        }
        if depth == 0 {
            return heap_sort(part, cmp);
        }
        depth -= 1;
        let p = pivot_and_partition(part, cmp)?;
        let right = part.get_mut(p + 1..).ok_or_else(bad_comparer)?;
        intro(right, depth, cmp)?;
        size = p;
    }
    Ok(())
}

fn swap_if_greater<T>(v: &mut [T], cmp: &mut Compare<'_, T>, i: usize, j: usize) -> EvalResult<()> {
    if cmp(get(v, i)?, get(v, j)?)? == Ordering::Greater {
        swap(v, i, j)?;
    }
    Ok(())
}

fn swap<T>(v: &mut [T], i: usize, j: usize) -> EvalResult<()> {
    if i < v.len() && j < v.len() {
        v.swap(i, j);
        Ok(())
    } else {
        Err(bad_comparer())
    }
}

fn pivot_and_partition<T: Clone>(v: &mut [T], cmp: &mut Compare<'_, T>) -> EvalResult<usize> {
    let hi = v.len() - 1;
    let middle = hi >> 1;
    swap_if_greater(v, cmp, 0, middle)?;
    swap_if_greater(v, cmp, 0, hi)?;
    swap_if_greater(v, cmp, middle, hi)?;
    let pivot = get(v, middle)?.clone();
    swap(v, middle, hi - 1)?;
    let (mut left, mut right) = (0usize, hi - 1);
    while left < right {
        loop {
            left += 1;
            if cmp(get(v, left)?, &pivot)? != Ordering::Less {
                break;
            }
        }
        loop {
            right = right.checked_sub(1).ok_or_else(bad_comparer)?;
            if cmp(&pivot, get(v, right)?)? != Ordering::Less {
                break;
            }
        }
        if left >= right {
            break;
        }
        swap(v, left, right)?;
    }
    if left != hi - 1 {
        swap(v, left, hi - 1)?;
    }
    Ok(left)
}

fn heap_sort<T: Clone>(v: &mut [T], cmp: &mut Compare<'_, T>) -> EvalResult<()> {
    let n = v.len();
    for i in (1..=n >> 1).rev() {
        down_heap(v, i, n, cmp)?;
    }
    for i in (2..=n).rev() {
        swap(v, 0, i - 1)?;
        down_heap(v, 1, i - 1, cmp)?;
    }
    Ok(())
}

fn down_heap<T: Clone>(v: &mut [T], mut i: usize, n: usize, cmp: &mut Compare<'_, T>) -> EvalResult<()> {
    let d = get(v, i - 1)?.clone();
    while i <= n >> 1 {
        let mut child = 2 * i;
        if child < n && cmp(get(v, child - 1)?, get(v, child)?)? == Ordering::Less {
            child += 1;
        }
        if cmp(&d, get(v, child - 1)?)? != Ordering::Less {
            break;
        }
        let c = get(v, child - 1)?.clone();
        *v.get_mut(i - 1).ok_or_else(bad_comparer)? = c;
        i = child;
    }
    *v.get_mut(i - 1).ok_or_else(bad_comparer)? = d;
    Ok(())
}

fn insertion_sort<T: Clone>(v: &mut [T], cmp: &mut Compare<'_, T>) -> EvalResult<()> {
    for i in 0..v.len().saturating_sub(1) {
        let t = get(v, i + 1)?.clone();
        let mut j = i as isize;
        while j >= 0 && cmp(&t, get(v, j as usize)?)? == Ordering::Less {
            j -= 1;
        }
        // Shift v[j+1..=i] right by one and put t at j+1.
        let dest = (j + 1) as usize;
        v.get_mut(dest..=i + 1).ok_or_else(bad_comparer)?.rotate_right(1);
    }
    Ok(())
}

/// .NET's binary search over `v` for `target`: the index of a match, or
/// the bitwise complement of the insertion point.
pub fn binary_search<T>(v: &[T], target: &T, cmp: &mut Compare<'_, T>) -> EvalResult<i32> {
    let (mut lo, mut hi) = (0i64, v.len() as i64 - 1);
    while lo <= hi {
        let i = lo + ((hi - lo) >> 1);
        let item = v.get(i as usize).ok_or_else(bad_comparer)?;
        match cmp(item, target)? {
            Ordering::Equal => return Ok(i as i32),
            Ordering::Less => lo = i + 1,
            Ordering::Greater => hi = i - 1,
        }
    }
    Ok(!(lo as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort_by_key(v: &mut [(i32, char)]) {
        introsort(v, &mut |a: &(i32, char), b: &(i32, char)| Ok(a.0.cmp(&b.0))).unwrap();
    }

    #[test]
    fn sorts_all_sizes() {
        let mut seed = 12345u64;
        for n in 0..300usize {
            let mut v: Vec<i64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (seed >> 33) as i64 % 50
                })
                .collect();
            let mut expect = v.clone();
            expect.sort();
            introsort(&mut v, &mut |a: &i64, b: &i64| Ok(a.cmp(b))).unwrap();
            assert_eq!(v, expect, "n = {n}");
        }
    }

    #[test]
    fn three_elements_are_unstable_as_dotnet() {
        // .NET sorts {1a, 1b, 0} to {0, 1b, 1a} (swap 0-1, 0-2, 1-2).
        let mut v = [(1, 'a'), (1, 'b'), (0, 'c')];
        sort_by_key(&mut v);
        assert_eq!(v, [(0, 'c'), (1, 'b'), (1, 'a')]);
        // Insertion sort (4..=16 elements) is stable.
        let mut v = [(1, 'a'), (1, 'b'), (0, 'c'), (1, 'd')];
        sort_by_key(&mut v);
        assert_eq!(v, [(0, 'c'), (1, 'a'), (1, 'b'), (1, 'd')]);
    }

    #[test]
    fn errors_stop_the_sort_and_bad_comparers_do_not_panic() {
        let mut v: Vec<i32> = (0..100).rev().collect();
        let e = introsort(&mut v, &mut |_: &i32, _: &i32| Err(EvalError::argument("x"))).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::Argument);
        // A comparer that says "less" to everything.
        let mut v: Vec<i32> = (0..100).collect();
        let r = introsort(&mut v, &mut |_: &i32, _: &i32| Ok(Ordering::Less));
        assert!(r.is_err() || v.len() == 100);
        let mut v: Vec<i32> = (0..100).collect();
        let r = introsort(&mut v, &mut |_: &i32, _: &i32| Ok(Ordering::Greater));
        assert!(r.is_err() || v.len() == 100);
    }

    #[test]
    fn binary_search_as_dotnet() {
        let v = [1, 3, 5, 7];
        let mut c = |a: &i32, b: &i32| Ok(a.cmp(b));
        assert_eq!(binary_search(&v, &5, &mut c).unwrap(), 2);
        assert_eq!(binary_search(&v, &4, &mut c).unwrap(), !2);
        assert_eq!(binary_search(&v, &9, &mut c).unwrap(), !4);
        assert_eq!(binary_search(&[], &9, &mut c).unwrap(), !0);
    }
}
