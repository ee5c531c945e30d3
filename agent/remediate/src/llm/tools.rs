//! The tools the model works through, one struct each (in the spirit of rig's `Tool`): a name,
//! a description, a JSON schema for the arguments, typed arguments, and a call on the
//! [`Workspace`]. Arguments are checked against the schema's shape by serde (unknown fields
//! refused, required ones present, types right) plus explicit checks; anything malformed is
//! answered with an error message the model can act on, never a crash.

use async_openai::types::chat::{ChatCompletionTool, ChatCompletionTools, FunctionObject};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

use super::workspace::{MAX_WINDOW, Workspace};

/// Longest string argument accepted (a property value, a replacement text).
const MAX_ARG_CHARS: usize = 4_000;

/// What a tool call leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Answer the model with this text and go on.
    Reply(String),
    /// The model is done: the workspace's text is the proposal.
    Submit,
    /// The model declines; a person must look.
    GiveUp(String),
}

pub(crate) trait Tool {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    type Args: DeserializeOwned;
    /// The JSON schema of the arguments object.
    fn parameters() -> Json;
    fn call(args: Self::Args, workspace: &mut Workspace<'_>) -> Result<Step, String>;
}

/// Every tool's definition, as sent with each request.
pub(crate) fn definitions() -> Vec<ChatCompletionTools> {
    vec![
        definition::<ReadResource>(),
        definition::<ReadLines>(),
        definition::<SetProperty>(),
        definition::<RemoveProperty>(),
        definition::<ReplaceInResource>(),
        definition::<AddImport>(),
        definition::<Submit>(),
        definition::<GiveUp>(),
    ]
}

fn definition<T: Tool>() -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: T::NAME.into(),
            description: Some(T::DESCRIPTION.into()),
            parameters: Some(T::parameters()),
            strict: None,
        },
    })
}

/// Run the tool `name` with the model's raw `arguments`.
pub(crate) fn dispatch(name: &str, arguments: &str, workspace: &mut Workspace<'_>) -> Step {
    match name {
        ReadResource::NAME => run::<ReadResource>(arguments, workspace),
        ReadLines::NAME => run::<ReadLines>(arguments, workspace),
        SetProperty::NAME => run::<SetProperty>(arguments, workspace),
        RemoveProperty::NAME => run::<RemoveProperty>(arguments, workspace),
        ReplaceInResource::NAME => run::<ReplaceInResource>(arguments, workspace),
        AddImport::NAME => run::<AddImport>(arguments, workspace),
        Submit::NAME => run::<Submit>(arguments, workspace),
        GiveUp::NAME => run::<GiveUp>(arguments, workspace),
        other => Step::Reply(format!(
            "error: there is no tool `{}`; the tools are read_resource, read_lines, set_property, \
             remove_property, replace_in_resource, add_import, submit and give_up",
            super::client::truncate(other, 64)
        )),
    }
}

fn run<T: Tool>(arguments: &str, workspace: &mut Workspace<'_>) -> Step {
    let raw = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    let value: Json = match serde_json::from_str(raw) {
        Ok(value @ Json::Object(_)) => value,
        Ok(_) => {
            return Step::Reply(format!(
                "error: the arguments of {} must be a JSON object matching its schema",
                T::NAME
            ));
        }
        Err(e) => {
            return Step::Reply(format!(
                "error: the arguments of {} are not valid JSON ({e}); send one JSON object matching its schema",
                T::NAME
            ));
        }
    };
    let args: T::Args = match serde_json::from_value(value) {
        Ok(args) => args,
        Err(e) => {
            return Step::Reply(format!(
                "error: invalid arguments for {}: {e}; the schema is {}",
                T::NAME,
                T::parameters()
            ));
        }
    };
    match T::call(args, workspace) {
        Ok(step) => step,
        Err(message) => Step::Reply(format!("error: {message}")),
    }
}

fn check_len(name: &str, value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_ARG_CHARS {
        return Err(format!(
            "`{name}` is longer than {MAX_ARG_CHARS} characters"
        ));
    }
    Ok(())
}

fn non_empty(name: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("`{name}` is empty"));
    }
    check_len(name, value)
}

/// An arguments object with no fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArgs {}

fn no_parameters() -> Json {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

pub(crate) struct ReadResource;

impl Tool for ReadResource {
    const NAME: &'static str = "read_resource";
    const DESCRIPTION: &'static str = "Show the target resource as it is now: its known properties, which values are not \
         known statically, which definitions you may edit, and its source.";
    type Args = NoArgs;

    fn parameters() -> Json {
        no_parameters()
    }

    fn call(_: NoArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        workspace.describe_resource().map(Step::Reply)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadLinesArgs {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    around: Option<String>,
    #[serde(default)]
    before: Option<usize>,
    #[serde(default)]
    after: Option<usize>,
}

pub(crate) struct ReadLines;

impl Tool for ReadLines {
    const NAME: &'static str = "read_lines";
    const DESCRIPTION: &'static str = "Read lines of a program file in the repository: by default the file being fixed, \
         around the target resource; with `around`, around the first line containing that text. \
         Read-only.";
    type Args = ReadLinesArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "A .ts or .py file relative to the repository root; default: the file being fixed."},
                "around": {"type": "string", "description": "Text to find; the window surrounds its first occurrence. Default: the target resource."},
                "before": {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW, "description": "Lines above (default 10)."},
                "after": {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW, "description": "Lines below (default 10)."}
            },
            "additionalProperties": false
        })
    }

    fn call(args: ReadLinesArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        for (name, value) in [("before", args.before), ("after", args.after)] {
            if value.is_some_and(|v| v > MAX_WINDOW) {
                return Err(format!("`{name}` is at most {MAX_WINDOW}"));
            }
        }
        if let Some(around) = &args.around {
            check_len("around", around)?;
        }
        workspace
            .read_lines(
                args.path.as_deref(),
                args.around.as_deref(),
                args.before.unwrap_or(10),
                args.after.unwrap_or(10),
            )
            .map(Step::Reply)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetPropertyArgs {
    path: String,
    value: Json,
}

pub(crate) struct SetProperty;

impl Tool for SetProperty {
    const NAME: &'static str = "set_property";
    const DESCRIPTION: &'static str = "Set a property of the target resource to a JSON value. The engine writes it in the \
         file's language and style, adding missing nested blocks. It declines when the value is \
         defined in a shared definition or is not known statically; then override at the call \
         with replace_in_resource.";
    type Args = SetPropertyArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "camelCase property path, dotted for nested blocks, e.g. `acl` or `serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm`; `[*]` for every element of an array."},
                "value": {"description": "The value as JSON: a string, number, boolean, object or array."}
            },
            "required": ["path", "value"],
            "additionalProperties": false
        })
    }

    fn call(args: SetPropertyArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        non_empty("path", &args.path)?;
        check_len("value", &args.value.to_string())?;
        let edits = {
            let resource = workspace.resource()?;
            workspace
                .document()
                .set(resource, &args.path, &args.value)
                .map_err(|e| e.to_string())?
        };
        workspace.apply(&edits).map(Step::Reply)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PathArgs {
    path: String,
}

pub(crate) struct RemoveProperty;

impl Tool for RemoveProperty {
    const NAME: &'static str = "remove_property";
    const DESCRIPTION: &'static str =
        "Remove a property of the target resource. Removing what is absent changes nothing.";
    type Args = PathArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "camelCase property path, dotted for nested blocks."}
            },
            "required": ["path"],
            "additionalProperties": false
        })
    }

    fn call(args: PathArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        non_empty("path", &args.path)?;
        let edits = {
            let resource = workspace.resource()?;
            workspace
                .document()
                .remove(resource, &args.path)
                .map_err(|e| e.to_string())?
        };
        workspace.apply(&edits).map(Step::Reply)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplaceArgs {
    old: String,
    new: String,
}

pub(crate) struct ReplaceInResource;

impl Tool for ReplaceInResource {
    const NAME: &'static str = "replace_in_resource";
    const DESCRIPTION: &'static str = "Replace exact text inside the target resource's constructor call (or a definition only \
         it uses) with new text. `old` must occur exactly once there; include surrounding text \
         to make it unique. You write the new text in the file's language.";
    type Args = ReplaceArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "old": {"type": "string", "description": "Exact text to replace, as it appears in the source."},
                "new": {"type": "string", "description": "The replacement text."}
            },
            "required": ["old", "new"],
            "additionalProperties": false
        })
    }

    fn call(args: ReplaceArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        if args.old.is_empty() {
            return Err("`old` is empty".into());
        }
        check_len("old", &args.old)?;
        check_len("new", &args.new)?;
        let edit = {
            let resource = workspace.resource()?;
            workspace
                .document()
                .replace_in_resource(resource, &args.old, &args.new)
                .map_err(|e| e.to_string())?
        };
        workspace.apply(&[edit]).map(Step::Reply)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportArgs {
    statement: String,
}

pub(crate) struct AddImport;

impl Tool for AddImport {
    const NAME: &'static str = "add_import";
    const DESCRIPTION: &'static str = "Add one import statement after the file's existing imports (nothing happens when it is \
         already there).";
    type Args = ImportArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "statement": {"type": "string", "description": "One import statement, e.g. `import * as aws from \"@pulumi/aws\";` or `import pulumi_aws as aws`."}
            },
            "required": ["statement"],
            "additionalProperties": false
        })
    }

    fn call(args: ImportArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        non_empty("statement", &args.statement)?;
        let edit = workspace
            .document()
            .add_import(&args.statement)
            .map_err(|e| e.to_string())?;
        workspace.may_import(&args.statement)?;
        match edit {
            Some(edit) => workspace.apply(&[edit]).map(Step::Reply),
            None => Ok(Step::Reply("no change: the import is already there".into())),
        }
    }
}

pub(crate) struct Submit;

impl Tool for Submit {
    const NAME: &'static str = "submit";
    const DESCRIPTION: &'static str =
        "Submit the file as it is now as your fix. The gate then checks it.";
    type Args = NoArgs;

    fn parameters() -> Json {
        no_parameters()
    }

    fn call(_: NoArgs, workspace: &mut Workspace<'_>) -> Result<Step, String> {
        if !workspace.changed() {
            return Err(
                "nothing has changed yet; edit the resource first, or call give_up with a reason"
                    .into(),
            );
        }
        Ok(Step::Submit)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GiveUpArgs {
    reason: String,
}

pub(crate) struct GiveUp;

impl Tool for GiveUp {
    const NAME: &'static str = "give_up";
    const DESCRIPTION: &'static str = "Stop without a fix when it needs a person: a value only the team knows, a design \
         decision, or a change outside this resource. Say why.";
    type Args = GiveUpArgs;

    fn parameters() -> Json {
        json!({
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Why a person must decide, and what they need to supply."}
            },
            "required": ["reason"],
            "additionalProperties": false
        })
    }

    fn call(args: GiveUpArgs, _: &mut Workspace<'_>) -> Result<Step, String> {
        non_empty("reason", &args.reason)?;
        Ok(Step::GiveUp(super::client::truncate(
            args.reason.trim(),
            500,
        )))
    }
}
