//! Organizations writes used by `apply` (implemented in the apply step).
