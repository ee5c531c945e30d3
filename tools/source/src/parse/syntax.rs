//! Node kinds and field names as small integers.
//!
//! tree-sitter's `Node::kind()` builds a `&str` from a C string on every call (a `strlen` and a
//! UTF-8 check) and `child_by_field_name` compares field names with `strncmp`; on a large
//! monorepo these showed up as a tenth of the audit. Each grammar's symbol and field tables are
//! mapped once to the enums below, so the walkers compare integers. A table is indexed by kind
//! id, so grammar aliases (several ids, one name) all map to the same [`Kind`].

use std::sync::OnceLock;

use tree_sitter::Node;

use super::Language;

macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        $vis enum $name { $($variant,)* }

        impl $name {
            const ALL: &'static [($name, &'static str)] = &[$(($name::$variant, $text),)*];
        }
    };
}

names! {
    /// The node kinds the walkers look at; everything else is `Other`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Kind {
        AliasedImport = "aliased_import",
        ArgumentList = "argument_list",
        Array = "array",
        ArrayPattern = "array_pattern",
        ArrowFunction = "arrow_function",
        AsExpression = "as_expression",
        AsPattern = "as_pattern",
        AsPatternTarget = "as_pattern_target",
        Assignment = "assignment",
        AssignmentExpression = "assignment_expression",
        AssignmentPattern = "assignment_pattern",
        Attribute = "attribute",
        AugmentedAssignment = "augmented_assignment",
        AugmentedAssignmentExpression = "augmented_assignment_expression",
        Block = "block",
        Call = "call",
        CallExpression = "call_expression",
        CatchClause = "catch_clause",
        Class = "class",
        ClassDeclaration = "class_declaration",
        ClassDefinition = "class_definition",
        Comment = "comment",
        ComputedPropertyName = "computed_property_name",
        ConcatenatedString = "concatenated_string",
        Const = "const",
        DefaultParameter = "default_parameter",
        DeleteStatement = "delete_statement",
        Dictionary = "dictionary",
        DictionarySplat = "dictionary_splat",
        DictionarySplatPattern = "dictionary_splat_pattern",
        DottedName = "dotted_name",
        EnumDeclaration = "enum_declaration",
        EscapeInterpolation = "escape_interpolation",
        EscapeSequence = "escape_sequence",
        ExportStatement = "export_statement",
        ExpressionList = "expression_list",
        ExpressionStatement = "expression_statement",
        False = "false",
        Float = "float",
        ForInClause = "for_in_clause",
        ForInStatement = "for_in_statement",
        ForStatement = "for_statement",
        FunctionDeclaration = "function_declaration",
        FunctionDefinition = "function_definition",
        FunctionExpression = "function_expression",
        GeneratorFunction = "generator_function",
        GeneratorFunctionDeclaration = "generator_function_declaration",
        GlobalStatement = "global_statement",
        Identifier = "identifier",
        ImportClause = "import_clause",
        ImportFromStatement = "import_from_statement",
        ImportRequireClause = "import_require_clause",
        ImportSpecifier = "import_specifier",
        ImportStatement = "import_statement",
        Integer = "integer",
        KeywordArgument = "keyword_argument",
        Lambda = "lambda",
        LambdaParameters = "lambda_parameters",
        LexicalDeclaration = "lexical_declaration",
        List = "list",
        ListPattern = "list_pattern",
        ListSplat = "list_splat",
        ListSplatPattern = "list_splat_pattern",
        MemberExpression = "member_expression",
        MethodDefinition = "method_definition",
        Module = "module",
        NamedExpression = "named_expression",
        NamedImports = "named_imports",
        NamespaceImport = "namespace_import",
        NestedTypeIdentifier = "nested_type_identifier",
        NewExpression = "new_expression",
        NonNullExpression = "non_null_expression",
        None = "none",
        NonlocalStatement = "nonlocal_statement",
        NotOperator = "not_operator",
        Null = "null",
        Number = "number",
        Object = "object",
        ObjectAssignmentPattern = "object_assignment_pattern",
        ObjectPattern = "object_pattern",
        OptionalParameter = "optional_parameter",
        Pair = "pair",
        PairPattern = "pair_pattern",
        Parameters = "parameters",
        ParenthesizedExpression = "parenthesized_expression",
        PatternList = "pattern_list",
        PrivatePropertyIdentifier = "private_property_identifier",
        Program = "program",
        PropertyIdentifier = "property_identifier",
        RequiredParameter = "required_parameter",
        RestPattern = "rest_pattern",
        SatisfiesExpression = "satisfies_expression",
        ShorthandPropertyIdentifier = "shorthand_property_identifier",
        ShorthandPropertyIdentifierPattern = "shorthand_property_identifier_pattern",
        SpreadElement = "spread_element",
        StatementBlock = "statement_block",
        String = "string",
        StringContent = "string_content",
        StringEnd = "string_end",
        StringFragment = "string_fragment",
        StringStart = "string_start",
        Subscript = "subscript",
        SubscriptExpression = "subscript_expression",
        TemplateString = "template_string",
        True = "true",
        Tuple = "tuple",
        TuplePattern = "tuple_pattern",
        TypeArguments = "type_arguments",
        TypeAssertion = "type_assertion",
        TypeIdentifier = "type_identifier",
        TypedDefaultParameter = "typed_default_parameter",
        TypedParameter = "typed_parameter",
        UnaryExpression = "unary_expression",
        UnaryOperator = "unary_operator",
        Undefined = "undefined",
        UpdateExpression = "update_expression",
        VariableDeclaration = "variable_declaration",
        VariableDeclarator = "variable_declarator",
        Other = "",
    }
}

names! {
    /// The field names the walkers read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Field {
        Alias = "alias",
        Argument = "argument",
        Arguments = "arguments",
        Attribute = "attribute",
        Constructor = "constructor",
        Function = "function",
        Index = "index",
        Key = "key",
        Kind = "kind",
        Left = "left",
        ModuleName = "module_name",
        Name = "name",
        Object = "object",
        Operator = "operator",
        Parameter = "parameter",
        Pattern = "pattern",
        Property = "property",
        Right = "right",
        Source = "source",
        Subscript = "subscript",
        Value = "value",
    }
}

/// One grammar's kind and field tables.
pub(crate) struct Syntax {
    kinds: Vec<Kind>,
    fields: Vec<Option<u16>>,
}

impl Syntax {
    fn build(language: &tree_sitter::Language) -> Self {
        let count = language.node_kind_count();
        let mut kinds = vec![Kind::Other; count];
        for (id, slot) in kinds.iter_mut().enumerate() {
            let Ok(id) = u16::try_from(id) else { break };
            if let Some(name) = language.node_kind_for_id(id) {
                *slot = Kind::ALL
                    .iter()
                    .find(|(_, text)| *text == name)
                    .map_or(Kind::Other, |(kind, _)| *kind);
            }
        }
        let fields = Field::ALL
            .iter()
            .map(|(_, name)| language.field_id_for_name(name).map(u16::from))
            .collect();
        Self { kinds, fields }
    }

    /// The tables for a grammar, built on first use.
    pub fn of(language: Language, tsx: bool) -> &'static Syntax {
        static TYPESCRIPT: OnceLock<Syntax> = OnceLock::new();
        static TSX: OnceLock<Syntax> = OnceLock::new();
        static PYTHON: OnceLock<Syntax> = OnceLock::new();
        let cell = match (language, tsx) {
            (Language::TypeScript, false) => &TYPESCRIPT,
            (Language::TypeScript, true) => &TSX,
            (Language::Python, _) => &PYTHON,
        };
        cell.get_or_init(|| Self::build(&language.grammar(tsx)))
    }

    pub fn kind(&self, node: Node<'_>) -> Kind {
        self.kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Kind::Other)
    }

    pub fn field<'t>(&self, node: Node<'t>, field: Field) -> Option<Node<'t>> {
        node.child_by_field_id(self.field_id(field)?.into())
    }

    pub fn field_id(&self, field: Field) -> Option<std::num::NonZeroU16> {
        self.fields
            .get(field as usize)
            .copied()
            .flatten()
            .and_then(std::num::NonZeroU16::new)
    }

    /// Named children, comments left out.
    pub fn named_children<'t>(
        &self,
        node: Node<'t>,
    ) -> impl Iterator<Item = Node<'t>> + use<'t, '_> {
        let mut cursor = node.walk();
        let mut started = false;
        std::iter::from_fn(move || {
            loop {
                let moved = if started {
                    cursor.goto_next_sibling()
                } else {
                    started = true;
                    cursor.goto_first_child()
                };
                if !moved {
                    return None;
                }
                let child = cursor.node();
                if child.is_named() && self.kind(child) != Kind::Comment {
                    return Some(child);
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_field_exists_in_some_grammar() {
        let grammars = [
            Syntax::of(Language::TypeScript, false),
            Syntax::of(Language::Python, false),
        ];
        for (kind, name) in Kind::ALL {
            if *kind == Kind::Other {
                continue;
            }
            assert!(
                grammars.iter().any(|g| g.kinds.contains(kind)),
                "node kind `{name}` is in neither grammar"
            );
        }
        for (field, name) in Field::ALL {
            assert!(
                grammars.iter().any(|g| g.fields[*field as usize].is_some()),
                "field `{name}` is in neither grammar"
            );
        }
    }
}
