//! One person read alone, for an event: `GET /v1/people/:id` through the call loop, built by
//! the full fetch's own record builder.

use syncer_core::{FetchError, PersonLookup};
use syncer_remote::Caller;

use crate::api::{self, ApiPerson};
use crate::records::to_record;
use crate::remote::{get, ExampleApp};

/// One person alone: `GET /v1/people/:id`, built by the full fetch's own [`to_record`]. Only
/// the directory's `not_found` means gone; any other failure is an error, so a person who
/// cannot be read is never taken for a leaver.
pub async fn fetch_person(
    caller: &Caller<ExampleApp>,
    id: &str,
) -> Result<PersonLookup, FetchError> {
    match get::<ApiPerson>(caller, api::PERSON, id).await {
        Ok(person) => {
            let mut record = to_record(person.user);
            record.departments = person.departments;
            Ok(PersonLookup::Found(record))
        }
        Err(error) if error.failure().is_some_and(|f| f.code == "not_found") => {
            Ok(PersonLookup::Gone)
        }
        Err(error) => Err(error.to_fetch_error()),
    }
}
