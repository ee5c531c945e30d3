//! Shared by the daemon's suites: the daemon as a real process ([`daemon`]). Stores come from
//! [`remedy_tests::store`].

// Each suite uses part of it.
#![allow(dead_code)]

pub mod daemon;
