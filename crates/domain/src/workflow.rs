//! The one workflow mechanism (流程) of every programme: a case moves through a list of steps,
//! one at a time, none skipped; approval completes the last step; a request for information
//! keeps the step; a rejection (with reasons) may come at any step. The service end's
//! applications use it, and so do the programmes' own cases (a home modification project, a
//! device fitting, a rehabilitation placement): each declares its steps as data and who does
//! each one ([`StepBy`]), and asks [`transition`] what an act does.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::lang::Lang;

coded_enum! {
    /// Who does a step: staff of the person's township (the default), the contractor assigned
    /// to the case, or the institution the case is placed with.
    pub enum StepBy {
        Staff = ("staff", "工作人员", "staff"),
        Contractor = ("contractor", "施工单位", "contractor"),
        Institution = ("institution", "服务机构", "institution"),
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDef {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// Who does it (staff unless the definition says otherwise).
    #[serde(default = "staff", skip_serializing_if = "is_staff")]
    pub by: StepBy,
}

fn staff() -> StepBy {
    StepBy::Staff
}

fn is_staff(b: &StepBy) -> bool {
    *b == StepBy::Staff
}

impl StepDef {
    /// A staff step.
    pub fn new(key: &str, label: &str, label_en: &str) -> StepDef {
        StepDef {
            key: key.into(),
            label: label.into(),
            label_en: label_en.into(),
            by: StepBy::Staff,
        }
    }

    /// The same step, done by `by`.
    pub fn by(self, by: StepBy) -> StepDef {
        StepDef { by, ..self }
    }

    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.label, &self.label_en)
    }
}

/// What is done to a case at its current step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAct {
    /// The current step is done; the next one begins. Not at the last step: the last step is
    /// completed by the decision itself.
    CompleteStep,
    /// Ask the applicant for more information; the step stays.
    RequestInfo,
    /// Approve: only at the last step, once every earlier step is done.
    Approve,
    /// Reject with reasons: at any step (an applicant found ineligible at acceptance is told
    /// so at once rather than after steps that cannot change the outcome).
    Reject,
}

/// Where an act takes a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// On to this step (0-based): always the one after the current step.
    Step(i64),
    InfoRequested,
    Approved,
    Rejected,
}

/// An act the workflow refuses at the case's current step (nothing changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActRefused {
    /// A decision to approve before the last step: the step `step` (0-based) is still to be
    /// done, and `remaining` steps in all (it included) before the decision.
    StepsRemain { step: i64, remaining: i64 },
    /// "Complete this step" at the last step, which only a decision (approve or reject)
    /// completes.
    DecisionDue,
}

/// Whether `step` (0-based) is the last of `steps` (or past it, if the definition lost steps
/// since the case began): the step that the decision completes.
pub fn at_last_step(steps: &[StepDef], step: i64) -> bool {
    step.saturating_add(1) >= steps.len() as i64
}

/// The step `step` (0-based), if the definition has it.
pub fn step_at(steps: &[StepDef], step: i64) -> Option<&StepDef> {
    usize::try_from(step).ok().and_then(|i| steps.get(i))
}

/// The step `step` (0-based) by its label, numbered from 1 ("2. 审核"); empty for a step the
/// definition does not have.
pub fn step_label(steps: &[StepDef], step: i64, lang: Lang) -> String {
    step_at(steps, step)
        .map(|s| format!("{}. {}", step + 1, s.label(lang)))
        .unwrap_or_default()
}

/// The workflow rule: steps advance one at a time and none is skipped; approval is the
/// completion of the last step; a rejection (with reasons) may come at any step.
pub fn transition(steps: &[StepDef], step: i64, act: StaffAct) -> Result<Transition, ActRefused> {
    let last = at_last_step(steps, step);
    match act {
        StaffAct::CompleteStep if last => Err(ActRefused::DecisionDue),
        StaffAct::CompleteStep => Ok(Transition::Step(step + 1)),
        StaffAct::Approve if !last => Err(ActRefused::StepsRemain {
            step,
            remaining: steps.len() as i64 - 1 - step,
        }),
        StaffAct::Approve => Ok(Transition::Approved),
        StaffAct::RequestInfo => Ok(Transition::InfoRequested),
        StaffAct::Reject => Ok(Transition::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn three() -> Vec<StepDef> {
        vec![
            StepDef::new("accept", "受理", "accept"),
            StepDef::new("works", "施工", "works").by(StepBy::Contractor),
            StepDef::new("decide", "验收", "acceptance"),
        ]
    }

    #[test]
    fn steps_advance_one_at_a_time() {
        let s = three();
        assert_eq!(
            transition(&s, 0, StaffAct::CompleteStep),
            Ok(Transition::Step(1))
        );
        assert_eq!(
            transition(&s, 0, StaffAct::Approve),
            Err(ActRefused::StepsRemain {
                step: 0,
                remaining: 2
            })
        );
        assert_eq!(
            transition(&s, 2, StaffAct::CompleteStep),
            Err(ActRefused::DecisionDue)
        );
        assert_eq!(
            transition(&s, 2, StaffAct::Approve),
            Ok(Transition::Approved)
        );
        assert_eq!(
            transition(&s, 1, StaffAct::Reject),
            Ok(Transition::Rejected)
        );
        assert_eq!(step_label(&s, 1, Lang::Zh), "2. 施工");
        assert_eq!(step_label(&s, 7, Lang::Zh), "");
    }

    #[test]
    fn who_does_a_step_round_trips_and_defaults_to_staff() {
        let json = serde_json::to_string(&three()).expect("json");
        assert!(json.contains("\"by\":\"contractor\""));
        assert_eq!(json.matches("\"by\"").count(), 1, "staff is the default");
        let back: Vec<StepDef> = serde_json::from_str(&json).expect("back");
        assert_eq!(back, three());
        let old: StepDef =
            serde_json::from_str(r#"{"key":"a","label":"受理","label_en":"accept"}"#).expect("old");
        assert_eq!(old.by, StepBy::Staff);
    }

    proptest! {
        /// From any step of any workflow, a completed step is the next one and an approval
        /// happens only at the last.
        #[test]
        fn never_skips(n in 1usize..8, step in 0i64..10) {
            let steps: Vec<StepDef> = (0..n).map(|i| StepDef::new(&i.to_string(), "x", "x")).collect();
            match transition(&steps, step, StaffAct::CompleteStep) {
                Ok(Transition::Step(next)) => prop_assert_eq!(next, step + 1),
                Err(ActRefused::DecisionDue) => prop_assert!(step + 1 >= n as i64),
                other => prop_assert!(false, "{:?}", other),
            }
            let approved = transition(&steps, step, StaffAct::Approve) == Ok(Transition::Approved);
            prop_assert_eq!(approved, step + 1 >= n as i64);
        }
    }
}
