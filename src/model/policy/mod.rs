//! Query policy: what clients may ask of an entity set, the data behind ASP.NET Core's
//! `[Filter]`, `[OrderBy]`, `[Select]`, `[Expand]`, `[Page]`, `AllowedFunctions` and
//! `MaxTop`.
//!
//! Read from and written as annotations of the Capabilities vocabulary
//! (`Org.OData.Capabilities.V1`, usually aliased `Capabilities`): `FilterRestrictions`,
//! `SortRestrictions`, `ExpandRestrictions`, `SelectSupport`, `CountRestrictions`,
//! `SearchRestrictions`, `TopSupported`, `SkipSupported` and `FilterFunctions`. Three
//! settings have no Capabilities term and use terms of this crate's namespace
//! [`POLICY_NAMESPACE`]: `MaxTop` (Int), `PageSize` (Int) and `NonSelectableProperties`
//! (collection of property paths).
//!
//! Only unqualified annotations on entity sets, singletons and the container (inline, or
//! out of line with a `Target` naming them) become policy; qualified ones and those on
//! other elements stay ordinary annotations. When a term is given more than once for one
//! target, the first wins, looking first at the out-of-line groups of the container's
//! schema, then at those of other schemas, then inline; the others stay ordinary
//! annotations. A record member the policy does not model is kept in the restriction's
//! `other` list and written back.
//!
//! The writers put policy out of line, first among the container schema's groups
//! (`<Annotations Target="Ns.Container/People">`, `"$Annotations"`), with full
//! namespace-qualified terms.

mod terms;

pub(crate) use terms::{extract_policies, policy_annotations, policy_targets};

use super::annotation::AnnotationValue;

/// The namespace of the policy terms the Capabilities vocabulary lacks: `MaxTop`,
/// `PageSize`, `NonSelectableProperties`.
pub const POLICY_NAMESPACE: &str = "OData.Query.Policy";

const CAPABILITIES: &str = "Org.OData.Capabilities.V1";

/// `Capabilities.FilterRestrictions`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FilterRestrictions {
    /// `Filterable` (default true): `$filter` is supported.
    pub filterable: bool,
    /// `RequiresFilter`: a `$filter` must be given.
    pub requires_filter: bool,
    /// `RequiredProperties`: these must appear in the `$filter`.
    pub required_properties: Vec<String>,
    /// `NonFilterableProperties`: these may not appear in the `$filter`.
    pub non_filterable_properties: Vec<String>,
    /// `MaxLevels`: most navigation levels in a filter path (`None`: no restriction, -1).
    pub max_levels: Option<u32>,
    /// Members not modelled (`FilterExpressionRestrictions`, ...).
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for FilterRestrictions {
    fn default() -> FilterRestrictions {
        FilterRestrictions {
            filterable: true,
            requires_filter: false,
            required_properties: Vec::new(),
            non_filterable_properties: Vec::new(),
            max_levels: None,
            other: Vec::new(),
        }
    }
}

/// `Capabilities.SortRestrictions`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SortRestrictions {
    /// `Sortable` (default true).
    pub sortable: bool,
    /// `AscendingOnlyProperties`.
    pub ascending_only_properties: Vec<String>,
    /// `DescendingOnlyProperties`.
    pub descending_only_properties: Vec<String>,
    /// `NonSortableProperties`.
    pub non_sortable_properties: Vec<String>,
    /// Members not modelled.
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for SortRestrictions {
    fn default() -> SortRestrictions {
        SortRestrictions {
            sortable: true,
            ascending_only_properties: Vec::new(),
            descending_only_properties: Vec::new(),
            non_sortable_properties: Vec::new(),
            other: Vec::new(),
        }
    }
}

/// `Capabilities.ExpandRestrictions`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExpandRestrictions {
    /// `Expandable` (default true).
    pub expandable: bool,
    /// `NonExpandableProperties` (navigation paths).
    pub non_expandable_properties: Vec<String>,
    /// `MaxLevels`: deepest `$expand` nesting (`None`: no restriction, -1).
    pub max_levels: Option<u32>,
    /// Members not modelled.
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for ExpandRestrictions {
    fn default() -> ExpandRestrictions {
        ExpandRestrictions {
            expandable: true,
            non_expandable_properties: Vec::new(),
            max_levels: None,
            other: Vec::new(),
        }
    }
}

/// `Capabilities.SelectSupport`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SelectSupport {
    /// `Supported` (default true): `$select` is supported.
    pub supported: bool,
    /// Members not modelled (`Expandable`, `Filterable`, ... within `$select`).
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for SelectSupport {
    fn default() -> SelectSupport {
        SelectSupport {
            supported: true,
            other: Vec::new(),
        }
    }
}

/// `Capabilities.CountRestrictions`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CountRestrictions {
    /// `Countable` (default true).
    pub countable: bool,
    /// `NonCountableProperties`.
    pub non_countable_properties: Vec<String>,
    /// `NonCountableNavigationProperties`.
    pub non_countable_navigation_properties: Vec<String>,
    /// Members not modelled.
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for CountRestrictions {
    fn default() -> CountRestrictions {
        CountRestrictions {
            countable: true,
            non_countable_properties: Vec::new(),
            non_countable_navigation_properties: Vec::new(),
            other: Vec::new(),
        }
    }
}

/// `Capabilities.SearchRestrictions`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchRestrictions {
    /// `Searchable` (default true).
    pub searchable: bool,
    /// `UnsupportedExpressions`: member names of `Capabilities.SearchExpressions`
    /// (`AND`, `OR`, `NOT`, `phrase`, `group`).
    pub unsupported_expressions: Vec<String>,
    /// Members not modelled.
    pub other: Vec<(String, AnnotationValue)>,
}

impl Default for SearchRestrictions {
    fn default() -> SearchRestrictions {
        SearchRestrictions {
            searchable: true,
            unsupported_expressions: Vec::new(),
            other: Vec::new(),
        }
    }
}

/// What clients may ask of an entity set, singleton or (as defaults) a whole container.
/// `None` and empty mean "no restriction given": everything is allowed.
///
/// ```
/// use odata_query::model::Policy;
/// let policy = Policy::default()
///     .with_non_filterable(["data"])
///     .with_max_top(100)
///     .with_allowed_functions(["contains", "startswith"]);
/// assert!(!policy.can_filter("data"));
/// assert!(policy.can_filter("size"));
/// assert_eq!(policy.max_top, Some(100));
/// assert!(policy.allows_function("contains") && !policy.allows_function("endswith"));
/// // The list names no operator, so operators are not restricted.
/// assert!(policy.allows_operator("eq"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// `FilterRestrictions`.
    pub filter: Option<FilterRestrictions>,
    /// `SortRestrictions`.
    pub sort: Option<SortRestrictions>,
    /// `ExpandRestrictions`.
    pub expand: Option<ExpandRestrictions>,
    /// `SelectSupport`.
    pub select: Option<SelectSupport>,
    /// `CountRestrictions`.
    pub count: Option<CountRestrictions>,
    /// `SearchRestrictions`.
    pub search: Option<SearchRestrictions>,
    /// `TopSupported`.
    pub top_supported: Option<bool>,
    /// `SkipSupported`.
    pub skip_supported: Option<bool>,
    /// `FilterFunctions`: the functions and operators `$filter` may use
    /// (`contains`, `eq`, ...); `None` for all.
    pub filter_functions: Option<Vec<String>>,
    /// Largest `$top` (term `MaxTop` of [`POLICY_NAMESPACE`]).
    pub max_top: Option<u64>,
    /// Server-side page size when the client gives no `$top` (term `PageSize`).
    pub page_size: Option<u64>,
    /// Properties `$select` may not name (term `NonSelectableProperties`).
    pub non_selectable_properties: Vec<String>,
}

/// The operator names `FilterFunctions` may list beside functions.
pub(crate) const OPERATORS: [&str; 19] = [
    "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "has", "in", "add", "sub", "mul",
    "div", "divby", "mod", "negate", "any",
];

impl Policy {
    /// Whether `$filter` may use the property (a path such as `address/city`).
    pub fn can_filter(&self, property: &str) -> bool {
        self.filter.as_ref().map_or(true, |f| {
            f.filterable && !f.non_filterable_properties.iter().any(|p| p == property)
        })
    }

    /// Whether `$filter` is supported at all.
    pub fn filterable(&self) -> bool {
        self.filter.as_ref().map_or(true, |f| f.filterable)
    }

    /// The properties a `$filter` must mention, and whether a `$filter` is required.
    pub fn required_filter(&self) -> (bool, &[String]) {
        match &self.filter {
            Some(f) => (f.requires_filter, &f.required_properties),
            None => (false, &[]),
        }
    }

    /// Whether `$orderby` may use the property.
    pub fn can_sort(&self, property: &str) -> bool {
        self.sort.as_ref().map_or(true, |s| {
            s.sortable && !s.non_sortable_properties.iter().any(|p| p == property)
        })
    }

    /// Whether `$orderby` may sort the property in that direction.
    pub fn can_sort_direction(&self, property: &str, descending: bool) -> bool {
        self.can_sort(property)
            && self.sort.as_ref().map_or(true, |s| {
                let forbidden = if descending {
                    &s.ascending_only_properties
                } else {
                    &s.descending_only_properties
                };
                !forbidden.iter().any(|p| p == property)
            })
    }

    /// Whether `$expand` may name the navigation property.
    pub fn can_expand(&self, navigation: &str) -> bool {
        self.expand.as_ref().map_or(true, |e| {
            e.expandable && !e.non_expandable_properties.iter().any(|p| p == navigation)
        })
    }

    /// The deepest `$expand` nesting allowed, if restricted.
    pub fn max_expand_depth(&self) -> Option<u32> {
        self.expand.as_ref().and_then(|e| e.max_levels)
    }

    /// Whether `$select` may name the property.
    pub fn can_select(&self, property: &str) -> bool {
        self.select.as_ref().map_or(true, |s| s.supported)
            && !self.non_selectable_properties.iter().any(|p| p == property)
    }

    /// Whether `$count` is supported.
    pub fn can_count(&self) -> bool {
        self.count.as_ref().map_or(true, |c| c.countable)
    }

    /// Whether `$search` is supported.
    pub fn can_search(&self) -> bool {
        self.search.as_ref().map_or(true, |s| s.searchable)
    }

    /// Whether `$top` is supported.
    pub fn can_top(&self) -> bool {
        self.top_supported.unwrap_or(true)
    }

    /// Whether `$skip` is supported.
    pub fn can_skip(&self) -> bool {
        self.skip_supported.unwrap_or(true)
    }

    /// Whether `$filter` may call the function.
    pub fn allows_function(&self, name: &str) -> bool {
        self.filter_functions
            .as_ref()
            .map_or(true, |list| list.iter().any(|f| f == name))
    }

    /// Whether `$filter` may use the operator (`eq`, `and`, `add`, ...). A
    /// `FilterFunctions` list that names no operator at all is taken to restrict functions
    /// only, as services that list only functions mean it.
    pub fn allows_operator(&self, operator: &str) -> bool {
        self.filter_functions.as_ref().map_or(true, |list| {
            !list.iter().any(|f| OPERATORS.contains(&f.as_str()))
                || list.iter().any(|f| f == operator)
        })
    }

    /// This policy with `defaults` filling in every term it does not give.
    pub fn merged_over(&self, defaults: &Policy) -> Policy {
        Policy {
            filter: self.filter.clone().or_else(|| defaults.filter.clone()),
            sort: self.sort.clone().or_else(|| defaults.sort.clone()),
            expand: self.expand.clone().or_else(|| defaults.expand.clone()),
            select: self.select.clone().or_else(|| defaults.select.clone()),
            count: self.count.clone().or_else(|| defaults.count.clone()),
            search: self.search.clone().or_else(|| defaults.search.clone()),
            top_supported: self.top_supported.or(defaults.top_supported),
            skip_supported: self.skip_supported.or(defaults.skip_supported),
            filter_functions: self
                .filter_functions
                .clone()
                .or_else(|| defaults.filter_functions.clone()),
            max_top: self.max_top.or(defaults.max_top),
            page_size: self.page_size.or(defaults.page_size),
            non_selectable_properties: if self.non_selectable_properties.is_empty() {
                defaults.non_selectable_properties.clone()
            } else {
                self.non_selectable_properties.clone()
            },
        }
    }

    /// Marks properties as not filterable.
    pub fn with_non_filterable<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
    ) -> Self {
        let filter = self.filter.get_or_insert_with(FilterRestrictions::default);
        filter
            .non_filterable_properties
            .extend(properties.into_iter().map(Into::into));
        self
    }

    /// Marks properties as not sortable.
    pub fn with_non_sortable<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
    ) -> Self {
        let sort = self.sort.get_or_insert_with(SortRestrictions::default);
        sort.non_sortable_properties
            .extend(properties.into_iter().map(Into::into));
        self
    }

    /// Marks navigation properties as not expandable.
    pub fn with_non_expandable<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
    ) -> Self {
        let expand = self.expand.get_or_insert_with(ExpandRestrictions::default);
        expand
            .non_expandable_properties
            .extend(properties.into_iter().map(Into::into));
        self
    }

    /// Marks properties as not selectable.
    pub fn with_non_selectable<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
    ) -> Self {
        self.non_selectable_properties
            .extend(properties.into_iter().map(Into::into));
        self
    }

    /// Limits `$expand` nesting.
    pub fn with_max_expand_depth(mut self, levels: u32) -> Self {
        self.expand
            .get_or_insert_with(ExpandRestrictions::default)
            .max_levels = Some(levels);
        self
    }

    /// Limits `$top`.
    pub fn with_max_top(mut self, max: u64) -> Self {
        self.max_top = Some(max);
        self
    }

    /// Sets the server-side page size.
    pub fn with_page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Restricts `$filter` to these functions (and operators, if any is named).
    pub fn with_allowed_functions<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.filter_functions = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Whether no term is given.
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}
