//! The OSPF packet checksum (RFC 1071) and the LSA Fletcher checksum (RFC 2328 §12.1.7).
