//! Link State Acknowledgment packet body (RFC 2328 A.3.6).

use super::{List, LsaHeader};

/// A Link State Acknowledgment packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsAckRepr<'a> {
    /// Acknowledged LSA headers.
    pub lsa_headers: List<'a, LsaHeader>,
}
