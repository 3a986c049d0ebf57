//! Section keys written with nothing after them (`accounts:`, `delegations:`: YAML null, as a
//! half-written file has) read as empty sections, as absent keys do.

use serde::Deserialize;

/// A list field written with nothing after its key (`accounts:`, YAML null): an empty list,
/// as an absent key is.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
