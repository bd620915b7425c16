//! [`remote_app!`](crate::remote_app): a backend's app type in one declaration — the unit type
//! the call loop is generic over, and its [`crate::Remote`] impl from the remote's name, its
//! failure type and its [`crate::TokenScheme`]. Knows no backend.

/// Declares a backend's app type: a unit struct (`Clone`, `Copy`, `Debug`, `Default`) and its
/// [`Remote`](crate::Remote) impl.
///
/// ```ignore
/// syncer_remote::remote_app! {
///     /// The directory's API, as the call loop talks to it.
///     pub ExampleApp {
///         name: "Example",
///         failure: ApiFailure,
///         token: TokenScheme::json("/oauth/token", "client_id", "client_secret"),
///     }
/// }
/// ```
///
/// A remote whose token request or authorization fits no [`TokenScheme`](crate::TokenScheme)
/// implements [`Remote`](crate::Remote) by hand and overrides `token_request` / `authorize`.
#[macro_export]
macro_rules! remote_app {
    (
        $(#[$doc:meta])*
        $vis:vis $app:ident {
            name: $name:expr,
            failure: $failure:ty,
            token: $token:expr $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $app;

        impl $crate::Remote for $app {
            type Failure = $failure;
            const NAME: &'static str = $name;
            const TOKEN: $crate::TokenScheme = $token;
        }
    };
}
