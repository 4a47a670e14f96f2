//! Which FlightHub 2 projects a platform user may see and choose (`FLIGHTHUB_PROJECT_ACCESS`,
//! `FLIGHTHUB_PROJECT_ACCESS_FILE`).
//!
//! One organization key serves every pilot, so FlightHub 2 itself cannot tell pilots apart:
//! this allow-list does. Rules are `WHO=UUID|UUID…`; WHO is an exact platform user name or a
//! `prefix*`; `*` instead of the UUIDs is every project. A user gets the union of the rules
//! that match them, and nothing when none does. No rules at all: everyone may use every
//! project the key sees (the default, said by the README and by `check`).

use std::collections::BTreeSet;

/// Who a rule is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Exactly(String),
    Prefix(String),
}

impl Who {
    fn matches(&self, user: &str) -> bool {
        match self {
            Who::Exactly(name) => name == user,
            Who::Prefix(prefix) => user.starts_with(prefix.as_str()),
        }
    }
}

/// The projects of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Projects {
    All,
    These(BTreeSet<uuid::Uuid>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    who: Who,
    projects: Projects,
}

/// The allow-list; empty means open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectAccess {
    rules: Vec<Rule>,
}

/// What a user may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// Every project the organization key sees.
    Every,
    /// Only these (possibly none).
    Only(BTreeSet<uuid::Uuid>),
}

impl Allowed {
    pub fn allows(&self, project: &uuid::Uuid) -> bool {
        match self {
            Allowed::Every => true,
            Allowed::Only(set) => set.contains(project),
        }
    }

    /// [`Allowed::allows`] for a UUID as FlightHub 2 spells it (never for a malformed one).
    pub fn allows_text(&self, project: &str) -> bool {
        match self {
            Allowed::Every => true,
            Allowed::Only(set) => uuid::Uuid::parse_str(project).is_ok_and(|u| set.contains(&u)),
        }
    }
}

fn parse_rule(raw: &str) -> Result<Rule, String> {
    let (who, projects) = raw
        .split_once('=')
        .ok_or_else(|| format!("{raw:?} is not WHO=UUID|UUID…"))?;
    let who = who.trim();
    let who = match who.strip_suffix('*') {
        Some(prefix) if !prefix.contains('*') => Who::Prefix(prefix.to_owned()),
        None if !who.is_empty() && !who.contains('*') => Who::Exactly(who.to_owned()),
        _ => {
            return Err(format!(
                "{who:?}: a user name, or a prefix followed by one *"
            ))
        }
    };
    let projects = projects.trim();
    let projects = if projects == "*" {
        Projects::All
    } else {
        let set = projects
            .split('|')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| uuid::Uuid::parse_str(p).map_err(|_| format!("{p:?} is not a project UUID")))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if set.is_empty() {
            return Err(format!(
                "{raw:?} names no project (use * for every project)"
            ));
        }
        Projects::These(set)
    };
    Ok(Rule { who, projects })
}

impl ProjectAccess {
    /// Parses the setting's entries and the file's lines (blank lines and `#` comments
    /// skipped). The error names the rule.
    pub fn parse<'a>(rules: impl IntoIterator<Item = &'a str>) -> Result<ProjectAccess, String> {
        let rules = rules
            .into_iter()
            .map(|r| r.split('#').next().unwrap_or("").trim())
            .filter(|r| !r.is_empty())
            .map(parse_rule)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProjectAccess { rules })
    }

    /// From the configuration: `FLIGHTHUB_PROJECT_ACCESS` then the file's lines. The error
    /// names the setting.
    pub fn from_config(config: &crate::config::Config) -> Result<ProjectAccess, String> {
        let mut access =
            ProjectAccess::parse(config.flighthub_project_access.iter().map(String::as_str))
                .map_err(|e| format!("FLIGHTHUB_PROJECT_ACCESS: {e}"))?;
        let path = config.flighthub_project_access_file.trim();
        if !path.is_empty() {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("FLIGHTHUB_PROJECT_ACCESS_FILE: {path}: {e}"))?;
            let from_file = ProjectAccess::parse(text.lines())
                .map_err(|e| format!("FLIGHTHUB_PROJECT_ACCESS_FILE: {path}: {e}"))?;
            access.rules.extend(from_file.rules);
        }
        Ok(access)
    }

    /// No rules: every pilot may use every project.
    pub fn is_open(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Every UUID some rule names (for `check`: does the key see them?).
    pub fn named_projects(&self) -> BTreeSet<uuid::Uuid> {
        self.rules
            .iter()
            .filter_map(|r| match &r.projects {
                Projects::These(set) => Some(set.iter().copied()),
                Projects::All => None,
            })
            .flatten()
            .collect()
    }

    /// What `user` may use.
    pub fn allowed(&self, user: &str) -> Allowed {
        if self.is_open() {
            return Allowed::Every;
        }
        let mut only = BTreeSet::new();
        for rule in self.rules.iter().filter(|r| r.who.matches(user)) {
            match &rule.projects {
                Projects::All => return Allowed::Every,
                Projects::These(set) => only.extend(set.iter().copied()),
            }
        }
        Allowed::Only(only)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "3f6b2c1a-8d4e-4b7a-9c2f-1e5d7a9b0c3d";
    const B: &str = "c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f";

    fn uuid(s: &str) -> uuid::Uuid {
        uuid::Uuid::parse_str(s).expect("uuid")
    }

    #[test]
    fn no_rules_is_open_to_everyone() {
        let access = ProjectAccess::parse([]).expect("empty");
        assert!(access.is_open());
        assert_eq!(access.allowed("anyone"), Allowed::Every);
    }

    #[test]
    fn exact_names_prefixes_and_stars() {
        let rules = format!("pilot={A}|{B}, team-*={B}, boss=*");
        let access = ProjectAccess::parse(rules.split(',')).expect("rules");
        let pilot = access.allowed("pilot");
        assert!(pilot.allows(&uuid(A)) && pilot.allows(&uuid(B)));
        let team = access.allowed("team-north");
        assert!(!team.allows(&uuid(A)) && team.allows(&uuid(B)));
        assert!(
            team.allows_text(&B.to_uppercase()),
            "UUIDs compare as UUIDs"
        );
        assert!(!team.allows_text("not-a-uuid"));
        assert_eq!(access.allowed("boss"), Allowed::Every);
        assert_eq!(access.allowed("pilot2"), Allowed::Only(BTreeSet::new()));
        assert_eq!(access.allowed("team"), Allowed::Only(BTreeSet::new()));
        assert_eq!(access.named_projects().len(), 2);
    }

    #[test]
    fn a_file_has_one_rule_per_line_and_comments() {
        let text = format!("# who may use what\n\npilot = {A}   # the bridge\n*={B}\n");
        let access = ProjectAccess::parse(text.lines()).expect("file");
        assert_eq!(access.rule_count(), 2);
        assert!(access.allowed("pilot").allows(&uuid(A)));
        assert!(
            access.allowed("anyone").allows(&uuid(B)),
            "a bare * matches everyone"
        );
    }

    #[test]
    fn mistakes_are_refused_naming_the_rule() {
        for bad in [
            "pilot",
            "=A",
            "pilot=",
            "pilot=not-a-uuid",
            "pi*lot=*",
            "**=*",
        ] {
            assert!(ProjectAccess::parse([bad]).is_err(), "{bad}");
        }
    }
}
