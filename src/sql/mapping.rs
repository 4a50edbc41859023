//! Where each entity set, property and navigation lives in the database: the
//! [`Mapping`], built from a [`Model`] by convention and overridable in Rust or by a
//! mapping file ([`Overrides`]).
//!
//! The convention, for every entity set of the container:
//! - the set is a table named like the set, with an ordinal column `_ordinal` (the input
//!   order `load` writes, the evaluator's tie-break) and a column `_absent` (the members
//!   a record did not have, so that answers leave them out as the evaluator does);
//! - a primitive property is a column named like it (`status`); a `DateTimeOffset` is two:
//!   the text as given (`createdDateTime`) and the instant as UTC text with nine
//!   fractional digits (`createdDateTime_instant`), which sorts and compares by instant;
//! - a complex property of a concrete type without derived types is flattened into
//!   columns `stats_filesUploaded`, with a presence column `stats` when it is nullable;
//!   an abstract, open or derived-from complex type, a collection and a geo value are one
//!   JSON column;
//! - a contained collection navigation is a child table `<table>_<navigation>` with the
//!   parent's key as `_parent_<key>` columns, an `_ordinal` (position in the parent's
//!   collection) and a presence column on the parent (`files`: the collection was not
//!   null).
//!
//! Identifiers come only from here and are quoted when written; nothing the request says
//! becomes an identifier.

use crate::model::{Edm, Model, NavigationProperty, Property, StructuredType, TypeName};

use super::dialect::StoredType;
use super::error::SqlError;
use super::mapping_file::{Overrides, TableOverrides};

/// How deep flattened complex types and contained navigations are followed; a model whose
/// types contain themselves stops here (deeper levels are JSON columns or unmapped).
const MAX_MAPPING_DEPTH: usize = 8;

/// The tables of a model's entity sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// One table per mapped entity set.
    pub tables: Vec<Table>,
}

/// A table: an entity set's, or a contained navigation's (a child table).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The entity set (top-level tables) or navigation property name (child tables).
    pub name: String,
    /// The SQL table name.
    pub table: String,
    /// The qualified entity type.
    pub entity_type: String,
    /// The key columns, in key order (from the entity type's key).
    pub key: Vec<String>,
    /// The column holding the input order (the evaluator's tie-break); `None` breaks
    /// ties by the key (then an answer is the evaluator's only if the input is in key order).
    pub ordinal: Option<String>,
    /// For a child table, the columns holding the parent's key, in the parent's key order,
    /// with the type of the key column they hold.
    pub parent: Vec<(String, StoredType)>,
    /// The JSON column listing the members each record lacked (`["referenceId"]`,
    /// `["stats/filesUploaded"]`); `None` if the table has none (then a missing member is
    /// answered as null).
    pub absent: Option<String>,
    /// The structural properties, in model order (inherited first).
    pub properties: Vec<PropertyMapping>,
    /// The navigation properties mapped to child tables.
    pub navigations: Vec<NavigationMapping>,
}

/// One structural property and where it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyMapping {
    /// The property name.
    pub name: String,
    /// Its storage.
    pub storage: Storage,
}

/// How a property is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// A primitive in one column (`Edm.String`, `Edm.Int64`, `Edm.Boolean`, ...; enum
    /// members as their names).
    Column {
        /// The column.
        column: String,
        /// The primitive type (an enum is `Edm.String`).
        edm: Edm,
        /// Whether the value may be null.
        nullable: bool,
    },
    /// A DateTimeOffset: its text as given (answers, date parts in its own offset) and
    /// its instant (comparisons, ordering) as UTC text `YYYY-MM-DDTHH:MM:SS.fffffffffZ`.
    DateTimeOffset {
        /// The text column.
        text: String,
        /// The instant column.
        instant: String,
        /// Whether the value may be null.
        nullable: bool,
    },
    /// A complex value flattened into the columns of its properties.
    Complex {
        /// The column that is true when the value is not null; `None` for a
        /// non-nullable property.
        presence: Option<String>,
        /// The complex type's properties.
        properties: Vec<PropertyMapping>,
    },
    /// The whole value as one JSON column (answers only; paths into it are not
    /// translated).
    Json {
        /// The column.
        column: String,
    },
}

/// A navigation property stored in a child table.
#[derive(Debug, Clone, PartialEq)]
pub struct NavigationMapping {
    /// The navigation property name.
    pub name: String,
    /// Whether it is collection-valued.
    pub collection: bool,
    /// The parent's column that is true when the collection was not null; `None` when
    /// a null collection is stored as an empty one.
    pub presence: Option<String>,
    /// The child table.
    pub table: Table,
}

impl Storage {
    /// The columns this storage uses, with what each stores.
    pub fn columns(&self) -> Vec<(&str, StoredType)> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<(&'a str, StoredType)>) {
        match self {
            Storage::Column { column, edm, .. } => out.push((column, stored_type(*edm))),
            Storage::DateTimeOffset { text, instant, .. } => {
                out.push((text, StoredType::Text));
                out.push((instant, StoredType::Text));
            }
            Storage::Complex {
                presence,
                properties,
            } => {
                if let Some(presence) = presence {
                    out.push((presence, StoredType::Boolean));
                }
                for property in properties {
                    property.storage.collect_columns(out);
                }
            }
            Storage::Json { column } => out.push((column, StoredType::Json)),
        }
    }
}

/// What a column of a primitive type stores.
pub(crate) fn stored_type(edm: Edm) -> StoredType {
    match edm {
        Edm::Boolean => StoredType::Boolean,
        Edm::Byte | Edm::SByte | Edm::Int16 | Edm::Int32 | Edm::Int64 => StoredType::Integer,
        Edm::Single | Edm::Double | Edm::Decimal => StoredType::Double,
        _ => StoredType::Text,
    }
}

impl Table {
    /// The property with that name.
    pub fn property(&self, name: &str) -> Option<&PropertyMapping> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The navigation with that name.
    pub fn navigation(&self, name: &str) -> Option<&NavigationMapping> {
        self.navigations.iter().find(|n| n.name == name)
    }

    /// Every column of the table with what it stores: parent key, ordinal, properties,
    /// presence flags of navigations, absent list.
    pub fn columns(&self) -> Vec<(&str, StoredType)> {
        let mut out: Vec<(&str, StoredType)> = Vec::new();
        for (parent, stored) in &self.parent {
            out.push((parent, *stored));
        }
        if let Some(ordinal) = &self.ordinal {
            out.push((ordinal, StoredType::Integer));
        }
        for property in &self.properties {
            out.extend(property.storage.columns());
        }
        for navigation in &self.navigations {
            if let Some(presence) = &navigation.presence {
                out.push((presence, StoredType::Boolean));
            }
        }
        if let Some(absent) = &self.absent {
            out.push((absent, StoredType::Json));
        }
        out
    }
}

impl Mapping {
    /// The conventional mapping of every entity set of the model (see the module docs).
    pub fn from_model(model: &Model) -> Result<Mapping, SqlError> {
        Mapping::from_model_with(model, &Overrides::default())
    }

    /// The conventional mapping with `overrides` applied (table, column and child table
    /// names, JSON storage for chosen complex properties, no ordinal or absent column).
    pub fn from_model_with(model: &Model, overrides: &Overrides) -> Result<Mapping, SqlError> {
        let container = model
            .container()
            .ok_or_else(|| SqlError::Mapping("the model has no entity container".into()))?;
        for name in overrides.sets.keys() {
            if container.entity_set(name).is_none() {
                return Err(SqlError::Mapping(format!(
                    "the mapping file names the entity set {name}, which the model does not have"
                )));
            }
        }
        let mut tables = Vec::new();
        for set in &container.entity_sets {
            let ty = model.entity_type(&set.entity_type).ok_or_else(|| {
                SqlError::Mapping(format!(
                    "the entity type {} of the set {} is not in the model",
                    set.entity_type, set.name
                ))
            })?;
            let empty = TableOverrides::default();
            let table_overrides = overrides.sets.get(&set.name).unwrap_or(&empty);
            let builder = TableBuilder { model };
            tables.push(builder.table(
                &set.name,
                &set.name,
                &set.entity_type,
                ty,
                None,
                table_overrides,
                0,
            )?);
        }
        Ok(Mapping { tables })
    }

    /// The table of an entity set.
    pub fn set(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The table of an entity set, to change it in Rust.
    pub fn set_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    /// The only entity set's name, when the model has exactly one.
    pub fn single_set(&self) -> Option<&str> {
        match self.tables.as_slice() {
            [only] => Some(&only.name),
            _ => None,
        }
    }
}

struct TableBuilder<'m> {
    model: &'m Model,
}

impl<'m> TableBuilder<'m> {
    #[allow(clippy::too_many_arguments, reason = "one call site per kind of table")]
    fn table(
        &self,
        name: &str,
        default_table: &str,
        type_name: &str,
        ty: &'m StructuredType,
        parent_key: Option<&[(String, StoredType)]>,
        overrides: &TableOverrides,
        depth: usize,
    ) -> Result<Table, SqlError> {
        let table_name = overrides
            .table
            .clone()
            .unwrap_or_else(|| default_table.to_owned());
        let mut properties = Vec::new();
        for property in self.model.properties(ty) {
            properties.push(self.property(property, "", "", overrides, depth)?);
        }
        let key = self
            .model
            .key(ty)
            .iter()
            .map(|p| key_column(&properties, &p.name))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                SqlError::Mapping(format!("the key of {type_name} is not stored in columns"))
            })?;
        let parent = match parent_key {
            None => Vec::new(),
            Some(parent_key) => match &overrides.parent {
                Some(columns) if columns.len() == parent_key.len() => columns
                    .iter()
                    .zip(parent_key)
                    .map(|(column, (_, stored))| (column.clone(), *stored))
                    .collect(),
                Some(_) => {
                    return Err(SqlError::Mapping(format!(
                        "the parent columns of {table_name} must be as many as the parent's key"
                    )))
                }
                None => parent_key
                    .iter()
                    .map(|(k, stored)| (format!("_parent_{k}"), *stored))
                    .collect(),
            },
        };
        let mut navigations = Vec::new();
        if depth < MAX_MAPPING_DEPTH {
            let all_columns: Vec<(String, StoredType)> = properties
                .iter()
                .flat_map(|p| p.storage.columns())
                .map(|(name, stored)| (name.to_owned(), stored))
                .collect();
            let typed_key: Vec<(String, StoredType)> = key
                .iter()
                .map(|k| {
                    let stored = all_columns
                        .iter()
                        .find(|(name, _)| name == k)
                        .map_or(StoredType::Text, |(_, stored)| *stored);
                    (k.clone(), stored)
                })
                .collect();
            for navigation in self.model.navigation_properties(ty) {
                if let Some(mapped) =
                    self.navigation(navigation, &table_name, &typed_key, overrides, depth)?
                {
                    navigations.push(mapped);
                }
            }
        }
        Ok(Table {
            name: name.to_owned(),
            table: table_name,
            entity_type: type_name.to_owned(),
            key,
            ordinal: overrides
                .ordinal
                .clone()
                .unwrap_or_else(|| Some("_ordinal".into())),
            parent,
            absent: overrides
                .absent
                .clone()
                .unwrap_or_else(|| Some("_absent".into())),
            properties,
            navigations,
        })
    }

    fn navigation(
        &self,
        navigation: &'m NavigationProperty,
        parent_table: &str,
        parent_key: &[(String, StoredType)],
        overrides: &TableOverrides,
        depth: usize,
    ) -> Result<Option<NavigationMapping>, SqlError> {
        // Only contained collections live in child tables; other navigations relate to
        // other sets and are not mapped (queries through them are a 501).
        if !navigation.contains_target || !navigation.collection {
            return Ok(None);
        }
        let Some(target) = self.model.navigation_target(navigation) else {
            return Ok(None);
        };
        let empty = TableOverrides::default();
        let child_overrides = overrides
            .navigations
            .get(&navigation.name)
            .unwrap_or(&empty);
        let table = self.table(
            &navigation.name,
            &format!("{parent_table}_{}", navigation.name),
            &navigation.target,
            target,
            Some(parent_key),
            child_overrides,
            depth + 1,
        )?;
        let presence = match &child_overrides.presence {
            Some(choice) => choice.clone(),
            None => Some(navigation.name.clone()),
        };
        Ok(Some(NavigationMapping {
            name: navigation.name.clone(),
            collection: true,
            presence,
            table,
        }))
    }

    fn property(
        &self,
        property: &Property,
        path_prefix: &str,
        column_prefix: &str,
        overrides: &TableOverrides,
        depth: usize,
    ) -> Result<PropertyMapping, SqlError> {
        let path = format!("{path_prefix}{}", property.name);
        let column = overrides
            .columns
            .get(&path)
            .cloned()
            .unwrap_or_else(|| format!("{column_prefix}{}", property.name));
        let json = Storage::Json {
            column: column.clone(),
        };
        let storage = if property.type_ref.collection || overrides.json.contains(&path) {
            json
        } else {
            match &property.type_ref.name {
                TypeName::Primitive(edm) => {
                    self.primitive(*edm, &path, column, property.nullable, overrides)
                }
                TypeName::Named(name) => {
                    if let Some(definition) = self.definition(name) {
                        self.primitive(definition, &path, column, property.nullable, overrides)
                    } else if self.model.enum_type(name).is_some() {
                        Storage::Column {
                            column,
                            edm: Edm::String,
                            nullable: property.nullable,
                        }
                    } else {
                        match self.model.complex_type(name) {
                            Some(complex)
                                if !complex.is_abstract
                                    && !self.model.is_open(complex)
                                    && !self.model.has_derived_types(name)
                                    && depth < MAX_MAPPING_DEPTH =>
                            {
                                let mut properties = Vec::new();
                                for inner in self.model.properties(complex) {
                                    properties.push(self.property(
                                        inner,
                                        &format!("{path}/"),
                                        &format!("{column}_"),
                                        overrides,
                                        depth + 1,
                                    )?);
                                }
                                Storage::Complex {
                                    presence: property.nullable.then_some(column),
                                    properties,
                                }
                            }
                            _ => json,
                        }
                    }
                }
            }
        };
        Ok(PropertyMapping {
            name: property.name.clone(),
            storage,
        })
    }

    fn primitive(
        &self,
        edm: Edm,
        path: &str,
        column: String,
        nullable: bool,
        overrides: &TableOverrides,
    ) -> Storage {
        if edm == Edm::DateTimeOffset {
            let instant = overrides
                .columns
                .get(&format!("{path}/$instant"))
                .cloned()
                .unwrap_or_else(|| format!("{column}_instant"));
            return Storage::DateTimeOffset {
                text: column,
                instant,
                nullable,
            };
        }
        if edm.is_spatial() || matches!(edm, Edm::Untyped | Edm::Stream | Edm::PrimitiveType) {
            return Storage::Json { column };
        }
        Storage::Column {
            column,
            edm,
            nullable,
        }
    }

    /// The underlying primitive of a type definition.
    fn definition(&self, name: &str) -> Option<Edm> {
        match self.model.resolve_type(name)? {
            crate::model::SchemaType::Definition(definition) => Some(definition.underlying_type),
            _ => None,
        }
    }
}

/// The column of a key property (a primitive stored in one column).
fn key_column(properties: &[PropertyMapping], name: &str) -> Option<String> {
    match &properties.iter().find(|p| p.name == name)?.storage {
        Storage::Column { column, .. } => Some(column.clone()),
        Storage::DateTimeOffset { instant, .. } => Some(instant.clone()),
        _ => None,
    }
}
