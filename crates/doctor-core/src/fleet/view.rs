//! What `fleet` reads of a collect file, borrowed from the file's bytes where it can: the
//! fields the aggregation needs and nothing else (the summary, the OS text and the like
//! are skipped by the parser). At 100,000 files the owned [`crate::collect::CollectFile`]
//! spends most of its time allocating strings that are thrown away a moment later.

use crate::finding::{Status, Step};
use crate::identity::Identity;
use crate::network::{NetError, StageName};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::net::IpAddr;

#[derive(Debug, Deserialize)]
pub(crate) struct CollectView<'a> {
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    pub schema_version: u32,
    #[serde(borrow)]
    pub hostname: Cow<'a, str>,
    #[serde(default, borrow)]
    pub site_hint: Option<Cow<'a, str>>,
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
    pub verdict: Status,
    #[serde(borrow)]
    pub findings: Vec<FindingView<'a>>,
    #[serde(default, borrow)]
    pub network: Option<NetworkView<'a>>,
    pub identity: Identity,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FindingView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    pub step: Step,
    pub status: Status,
    #[serde(borrow)]
    pub key: Cow<'a, str>,
    #[serde(default, borrow)]
    pub params: Params<'a>,
    #[serde(default, borrow)]
    pub remedy_key: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NetworkView<'a> {
    #[serde(default, borrow)]
    pub region: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub proxy: Option<ProxyView<'a>>,
    #[serde(borrow)]
    pub hosts: Vec<HostView<'a>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProxyView<'a> {
    #[serde(borrow)]
    pub host: Cow<'a, str>,
    pub port: u16,
}

impl ProxyView<'_> {
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct HostView<'a> {
    #[serde(borrow)]
    pub host: Cow<'a, str>,
    pub port: u16,
    #[serde(borrow)]
    pub purpose: Cow<'a, str>,
    pub stage: StageName,
    #[serde(default)]
    pub error: Option<NetError>,
}

/// A message's parameters as pairs, without building a map for every finding.
#[derive(Debug, Default)]
pub(crate) struct Params<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Params<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Params<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Params<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<Borrowed<'a>, Borrowed<'a>>()? {
                    out.push((k.0, v.0));
                }
                Ok(Params(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A string borrowed from the input when it has no escapes.
#[derive(Debug, Deserialize)]
struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
