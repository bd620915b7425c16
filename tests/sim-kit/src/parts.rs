//! [`Parts`]: the types a simulator names once for the kit (what requests read, the credentials,
//! the faults, the pages and statistics, its own extension), [`Indexed`]: how what requests read
//! is built from the organization a test edits, and [`SimExtension`]: what a simulator keeps
//! besides the kit's state. Knows no API.

use std::marker::PhantomData;

use crate::faults::SimFaults;
use crate::stats::CallStats;

/// What requests read, built from the organization a test builds and edits: the organization
/// itself, or an index of it for a simulator that serves large ones.
pub trait Indexed: Send + Sync + 'static {
    /// The organization a test builds, edits and reads back.
    type Org: Clone;

    /// Indexes `org` for serving.
    fn index(org: Self::Org) -> Self;
    /// The organization behind what is served.
    fn org(&self) -> &Self::Org;
}

/// A simulator's own state besides the kit's ([`SimParts::Extension`]): built empty at start and
/// told to stop (end its sockets, timers and pushes) when the simulator shuts down or is dropped.
pub trait SimExtension: Default + Send + Sync + 'static {
    /// Ends whatever the extension runs in the background; called once, at shutdown or drop.
    fn stop(&self) {}
}

impl SimExtension for () {}

/// The types one simulator plugs into the kit, named in one place by a [`Parts`]; the kit reads
/// them back through these names.
pub trait SimParts {
    /// What requests read (see [`Indexed`]).
    type Served: Indexed;
    /// The app credentials the token endpoint accepts.
    type Credentials: Send + Sync + 'static;
    /// How the simulator misbehaves; swapped whole by [`crate::Sim::set_faults`].
    type Faults: SimFaults;
    /// One page of a listing, as the statistics count pages served.
    type Page: Ord + Clone + Send + 'static;
    /// The statistics the owner reads, named as the API's codes mean them.
    type Stats: From<CallStats<Self::Page>>;
    /// What the simulator keeps besides the kit's state (e.g. its event delivery), reachable
    /// from every request through [`crate::SimState::extension`].
    type Extension: SimExtension;
}

/// Names a simulator's types in this order: what requests read, the credentials, the faults,
/// the page of a listing, the statistics, and the extension (none by default). Never built: it
/// only carries the names, as [`crate::SimApi::Parts`].
pub struct Parts<Served, Credentials, Faults, Page, Stats, Extension = ()>(
    PhantomData<Names<Served, Credentials, Faults, Page, Stats, Extension>>,
);

/// What a [`Parts`] holds of its types: their names only, no value of any.
type Names<Served, Credentials, Faults, Page, Stats, Extension> =
    fn() -> (Served, Credentials, Faults, Page, Stats, Extension);

impl<Served, Credentials, Faults, Page, Stats, Extension> SimParts
    for Parts<Served, Credentials, Faults, Page, Stats, Extension>
where
    Served: Indexed,
    Credentials: Send + Sync + 'static,
    Faults: SimFaults,
    Page: Ord + Clone + Send + 'static,
    Stats: From<CallStats<Page>>,
    Extension: SimExtension,
{
    type Served = Served;
    type Credentials = Credentials;
    type Faults = Faults;
    type Page = Page;
    type Stats = Stats;
    type Extension = Extension;
}
