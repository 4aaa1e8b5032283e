//! The registry client and pull against a real registry (Debian's docker-registry), directly and
//! behind a fault-injecting front.

mod common;
mod faults;
mod pull;
mod search;
