//! `upkeep.toml`: the file that marks a package's root folder.
//!
//! ```toml
//! [package]
//! name = "msp"
//! ```

use serde::Deserialize;

pub const FILE_NAME: &str = "upkeep.toml";

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub package: PackageSection,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackageSection {
    pub name: String,
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, toml::de::Error> {
        toml::from_str(text)
    }
}
