//! [`sim_owner!`](crate::sim_owner): the owner's type of one simulator, a newtype over
//! [`Sim`](crate::Sim) so the simulator's crate can add its own methods (its events, its push)
//! while everything the kit offers stays reachable through `Deref`. Written once here so the
//! simulators do not each repeat it.

/// Declares `pub struct $name` owning a running `Sim<$api>`: `start`, `start_on`, `shutdown`,
/// `Deref` to the `Sim`, a short `Debug`, and the crate-private `shared()` (the state requests
/// share) for the simulator's own methods.
#[macro_export]
macro_rules! sim_owner {
    ($(#[$meta:meta])* $name:ident, $api:ty) => {
        $(#[$meta])*
        pub struct $name {
            sim: $crate::Sim<$api>,
        }

        impl ::std::ops::Deref for $name {
            type Target = $crate::Sim<$api>;

            fn deref(&self) -> &$crate::Sim<$api> {
                &self.sim
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.sim, f)
            }
        }

        impl $name {
            /// Starts serving `org` on a random loopback port, accepting `credentials` on the
            /// token endpoint. Must be called inside a Tokio runtime.
            pub async fn start(
                org: $crate::OrgOf<$api>,
                credentials: $crate::CredentialsOf<$api>,
                faults: $crate::FaultsOf<$api>,
            ) -> ::std::io::Result<$name> {
                let sim = $crate::Sim::start(org, credentials, faults).await?;
                Ok($name { sim })
            }

            /// Like `start`, on a chosen address (port 0 for a random one).
            pub async fn start_on(
                addr: ::std::net::SocketAddr,
                org: $crate::OrgOf<$api>,
                credentials: $crate::CredentialsOf<$api>,
                faults: $crate::FaultsOf<$api>,
            ) -> ::std::io::Result<$name> {
                let sim = $crate::Sim::start_on(addr, org, credentials, faults).await?;
                Ok($name { sim })
            }

            /// Ends the simulator's background work (sockets, timers, pushes), then stops the
            /// server, waiting a few seconds at most for requests in flight.
            pub async fn shutdown(self) {
                self.sim.shutdown().await;
            }

            /// The state the requests share.
            #[allow(dead_code)]
            pub(crate) fn shared(&self) -> &::std::sync::Arc<$crate::SimState<$api>> {
                self.sim.state()
            }
        }
    };
}
