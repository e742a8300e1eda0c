//! Byte offsets of fixed fields (filled in by the codec).
