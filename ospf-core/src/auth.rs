//! OSPFv2 authentication: null, simple password, keyed MD5 (RFC 2328 D.3) and
//! HMAC-SHA-1/256/384/512 (RFC 5709, with the Apad of RFC 7474).
