//! [`OrgSpec`]: what organization a simulator generates, the part every simulator shares (size,
//! depth, people in several departments, seed, names) and the simulator's own extras `X`. Knows
//! no remote.

/// What organization to generate; `extra` holds what only one simulator varies.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSpec<X> {
    /// Number of people.
    pub users: usize,
    /// Number of departments, the root included (at least 1).
    pub departments: usize,
    /// Deepest level below the root (the root is level 0); reached whenever there are enough
    /// departments.
    pub max_depth: usize,
    /// Share of people in more than one department.
    pub multi_department_ratio: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Name of the organization and of its root department.
    pub name: String,
    /// Domain of generated e-mail addresses (an `.example` domain).
    pub email_domain: String,
    /// What this simulator alone varies.
    pub extra: X,
}

/// A simulator's extras of an [`OrgSpec`], and the spec it generates when told nothing.
pub trait OrgExtras: Sized {
    /// The simulator's default organization.
    fn default_spec() -> OrgSpec<Self>;
}

/// How a simulator whose extras are `Self` generates its organization `O` from a spec; called
/// as `Org::generate(&spec)`.
pub trait GenerateOrg<O>: OrgExtras {
    /// The organization `spec` describes; the same spec always gives the same organization.
    fn generate(spec: &OrgSpec<Self>) -> O;
}

impl<X: OrgExtras> Default for OrgSpec<X> {
    fn default() -> Self {
        X::default_spec()
    }
}
