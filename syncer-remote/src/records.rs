//! [`RecordSet`]: the people a directory walk meets, one record per person however many
//! departments list them, each with the union of its departments in the order the backend's ids
//! sort in ([`DepartmentOrder`]). People who came without an id cannot be matched to anyone;
//! they are counted, not kept. Knows no backend.

use std::collections::HashMap;

use syncer_core::SourceRecord;

/// How a backend's department ids sort, as a full fetch lists a person's departments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DepartmentOrder {
    /// As text (`od-a` before `od-b`).
    #[default]
    Text,
    /// As numbers (`2` before `10`); an id that is not a number sorts last.
    Numeric,
}

impl DepartmentOrder {
    /// `record` with its departments sorted: a person read alone (for an event) as a full
    /// fetch gives them.
    pub fn sorted(self, mut record: SourceRecord) -> SourceRecord {
        self.sort(&mut record);
        record
    }

    /// Sorts `record`'s departments.
    pub fn sort(self, record: &mut SourceRecord) {
        match self {
            DepartmentOrder::Text => record.departments.sort(),
            DepartmentOrder::Numeric => record
                .departments
                .sort_by_key(|id| id.parse::<i64>().unwrap_or(i64::MAX)),
        }
    }
}

/// People met so far, by id.
#[derive(Debug, Default)]
pub struct RecordSet {
    by_id: HashMap<String, SourceRecord>,
    without_id: usize,
}

impl RecordSet {
    /// Adds `record`, met while listing `department`: a person met before gains the record's
    /// departments and `department`; a record without an id is only counted.
    pub fn add(&mut self, record: SourceRecord, department: &str) {
        if record.id.is_empty() {
            self.without_id += 1;
            return;
        }
        match self.by_id.get_mut(&record.id) {
            Some(existing) => {
                for id in record.departments.iter().map(String::as_str) {
                    existing.add_department(id);
                }
                existing.add_department(department);
            }
            None => {
                let mut record = record;
                record.add_department(department);
                self.by_id.insert(record.id.clone(), record);
            }
        }
    }

    /// How many listings came without an id.
    pub fn without_id(&self) -> usize {
        self.without_id
    }

    /// Every person once, sorted by id, each one's departments sorted in `order`.
    pub fn into_records(self, order: DepartmentOrder) -> Vec<SourceRecord> {
        let mut records: Vec<SourceRecord> = self.by_id.into_values().collect();
        for record in &mut records {
            order.sort(record);
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, departments: &[&str]) -> SourceRecord {
        let mut record = SourceRecord::new(id);
        record.departments = departments.iter().map(|d| (*d).to_owned()).collect();
        record
    }

    #[test]
    fn a_person_in_two_departments_is_one_record_with_both() {
        let mut set = RecordSet::default();
        set.add(listed("u1", &["10"]), "10");
        set.add(listed("u1", &["2"]), "2");
        set.add(listed("u2", &[]), "2");
        set.add(listed("", &["2"]), "2");
        assert_eq!(set.without_id(), 1);
        let records = set.into_records(DepartmentOrder::Numeric);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].departments, vec!["2", "10"]);
        assert_eq!(records[1].departments, vec!["2"]);
    }

    #[test]
    fn text_ids_sort_as_text() {
        let mut set = RecordSet::default();
        set.add(listed("u1", &["od-b", "od-a"]), "od-c");
        let records = set.into_records(DepartmentOrder::Text);
        assert_eq!(records[0].departments, vec!["od-a", "od-b", "od-c"]);
    }
}
