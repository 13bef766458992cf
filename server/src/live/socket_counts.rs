//! Caps on live sockets: each user and each client address holds at most so many at once, so a
//! leaked session or one address cannot open sockets without end. Generous by default, so a load
//! test from one address still works.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// How many sockets each user and each address holds, within their caps.
pub struct SocketCounts {
    per_user: usize,
    per_address: usize,
    open: Mutex<HashMap<Holder, usize>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Holder {
    User(i64),
    Address(IpAddr),
}

impl SocketCounts {
    pub fn new(per_user: usize, per_address: usize) -> Self {
        SocketCounts { per_user, per_address, open: Mutex::default() }
    }

    /// A place for one more socket of the user from the address, if both are under their caps.
    pub fn open(counts: &Arc<SocketCounts>, user_id: i64, address: IpAddr) -> Option<SocketSlot> {
        let holders = [(Holder::User(user_id), counts.per_user), (Holder::Address(address), counts.per_address)];
        let mut open = counts.open.lock().unwrap_or_else(PoisonError::into_inner);
        if holders.iter().any(|(holder, cap)| open.get(holder).is_some_and(|count| count >= cap)) {
            return None;
        }
        for (holder, _) in holders {
            *open.entry(holder).or_default() += 1;
        }
        Some(SocketSlot { counts: counts.clone(), holders: holders.map(|(holder, _)| holder) })
    }
}

/// One socket's place in the counts, given back when the socket ends.
pub struct SocketSlot {
    counts: Arc<SocketCounts>,
    holders: [Holder; 2],
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(PoisonError::into_inner);
        for holder in self.holders {
            if let Some(count) = open.get_mut(&holder) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&holder);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_are_capped_per_user_and_per_address_and_given_back_when_closed() {
        let counts = Arc::new(SocketCounts::new(2, 3));
        let home = IpAddr::from([10, 0, 0, 1]);
        let first = SocketCounts::open(&counts, 1, home).expect("first");
        let _second = SocketCounts::open(&counts, 1, home).expect("second");
        assert!(SocketCounts::open(&counts, 1, IpAddr::from([10, 0, 0, 2])).is_none(), "the user's cap");
        let _third = SocketCounts::open(&counts, 2, home).expect("another user, same address");
        assert!(SocketCounts::open(&counts, 3, home).is_none(), "the address's cap");
        drop(first);
        assert!(SocketCounts::open(&counts, 1, home).is_some(), "a closed socket frees its place");
    }
}
