//! Synthetic vendors: of any size, for measuring how generation scales (benches and
//! `codegen/examples/scaling.rs`: each operation pair is a POST with a JSON body of its own
//! schema and a GET with a path parameter; auth is an API key), and random documents for the
//! generator's fuzz campaign (`write_random_vendor`).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

/// Writes `specs/<name>/openapi.yaml` and `vendor.yaml` with `operations` operations into `dir`.
pub fn write_vendor(dir: &Path, name: &str, operations: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: Synthetic, version: '1'}\npaths:\n");
    let mut schemas = String::new();
    for i in 0..operations.div_ceil(2) {
        let _ = write!(
            spec,
            "  /items{i}:\n    post:\n      operationId: createItem{i}\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/Item{i}'}}\n      responses:\n        '201':\n          description: Created\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Item{i}'}}\n"
        );
        if 2 * i + 1 < operations {
            let _ = write!(
                spec,
                "  /items{i}/{{id}}:\n    get:\n      operationId: getItem{i}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n        - {{name: expand, in: query, schema: {{type: boolean}}}}\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Item{i}'}}\n"
            );
        }
        let _ = write!(
            schemas,
            "    Item{i}:\n      type: object\n      required: [name]\n      properties:\n        id: {{type: string}}\n        name: {{type: string}}\n        amount: {{type: number}}\n        count: {{type: integer, format: int64}}\n        state: {{type: string, enum: [new, active, closed]}}\n"
        );
    }
    spec.push_str("components:\n  schemas:\n");
    spec.push_str(&schemas);
    std::fs::write(dir.join("openapi.yaml"), spec)?;
    let profile = format!(
        "vendor: {name}\ntitle: Synthetic\nservers: {{live: 'https://api.synthetic.example'}}\ndefault_server: live\ncredentials: {{api_key: {{}}}}\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        x-api-key: {{credential: api_key}}\n"
    );
    std::fs::write(dir.join("vendor.yaml"), profile)
}

/// A small deterministic generator (splitmix64): the same seed gives the same document, so a
/// failing seed can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The random documents' shapes: what a schema may be, at a depth.
struct Shapes<'r> {
    random: &'r mut Random,
    /// 3.1 (type lists with null, `const`) rather than 3.0 (`nullable`).
    v31: bool,
    /// The component schemas defined so far (a reference points to one of them).
    components: Vec<String>,
}

impl Shapes<'_> {
    fn nullable(&mut self, mut schema: Value) -> Value {
        if !self.random.chance(25) {
            return schema;
        }
        let Some(object) = schema.as_object_mut() else {
            return schema;
        };
        match (self.v31, object.get("type").cloned()) {
            (true, Some(Value::String(kind))) => {
                object.insert("type".into(), json!([kind, "null"]));
            }
            (false, Some(_)) => {
                object.insert("nullable".into(), json!(true));
            }
            _ => {}
        }
        schema
    }

    fn scalar(&mut self) -> Value {
        let schema = match self.random.below(9) {
            0 => json!({"type": "string"}),
            1 => {
                let format =
                    ["date-time", "uuid", "email", "byte", "date", "uri"][self.random.below(6)];
                json!({"type": "string", "format": format})
            }
            2 => {
                json!({"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[a-z0-9_]+$"})
            }
            3 => {
                let format = ["int32", "int64", "unix-time"][self.random.below(3)];
                json!({"type": "integer", "format": format, "minimum": 0})
            }
            4 => json!({"type": "number", "format": "double"}),
            5 => json!({"type": "boolean"}),
            6 => {
                json!({"type": "string", "enum": ["pending", "paid", "failed", "requires-action", "requires_action"]})
            }
            7 => json!({"type": "integer", "enum": [0, 1, 2, 10]}),
            _ => match self.random.below(3) {
                0 => json!({"type": "string", "enum": [1, true, "x"]}),
                1 if self.v31 => json!({"const": "fixed"}),
                _ => json!({"type": "number", "enum": [0.5, 1.5]}),
            },
        };
        self.nullable(schema)
    }

    fn schema(&mut self, depth: usize) -> Value {
        let pick = if depth >= 3 { 0 } else { self.random.below(8) };
        match pick {
            0 | 1 => self.scalar(),
            2 => json!({"type": "array", "items": self.schema(depth + 1)}),
            3 => self.object(depth),
            4 if !self.components.is_empty() => {
                let name = &self.components[self.random.below(self.components.len())];
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
            5 => {
                let key = ["oneOf", "anyOf"][self.random.below(2)];
                let variants: Vec<Value> = (0..2 + self.random.below(2))
                    .map(|_| self.schema(depth + 1))
                    .collect();
                json!({ key: variants })
            }
            6 => json!({"allOf": [self.object(depth + 1), self.object(depth + 1)]}),
            _ => json!({"type": "object", "additionalProperties": self.schema(depth + 1)}),
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        let mut properties = serde_json::Map::new();
        let mut required = Vec::new();
        for i in 0..1 + self.random.below(5) {
            let name = [
                "id",
                "amount",
                "currency",
                "status",
                "meta",
                "@type",
                "created-at",
                "Items",
            ][i % 8];
            properties.insert(name.to_owned(), self.schema(depth + 1));
            if self.random.chance(40) {
                required.push(name);
            }
        }
        let mut object = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            object["required"] = json!(required);
        }
        if self.random.chance(20) {
            object["additionalProperties"] = json!(self.random.chance(50));
        }
        self.nullable(object)
    }
}

/// Writes a random, valid OpenAPI document (3.0 or 3.1 by the seed) and its vendor.yaml into
/// `dir`: component schemas combining oneOf/anyOf/allOf, nullable values, enums of strings,
/// integers, numbers and booleans, formats, patterns, additionalProperties and recursion;
/// parameters in the path, query (scalars, arrays, deepObject and form objects), headers; bodies
/// as JSON, a vendor's +json, a form, multipart with a file, text. For the generator's fuzz
/// campaign (tests/random_documents.rs): every such document must generate and compile.
pub fn write_random_vendor(dir: &Path, name: &str, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut random = Random(seed);
    let v31 = seed % 2 == 1;
    let mut shapes = Shapes {
        random: &mut random,
        v31,
        components: Vec::new(),
    };
    let mut schemas = serde_json::Map::new();
    for i in 0..3 + shapes.random.below(6) {
        let name = format!("Thing{i}");
        let mut schema = shapes.object(1);
        // Recursion: a thing may hold things of its own kind.
        if shapes.random.chance(30)
            && let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut)
        {
            properties.insert(
                "children".into(),
                json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}}),
            );
        }
        shapes.components.push(name.clone());
        schemas.insert(name, schema);
    }
    let mut paths = serde_json::Map::new();
    for i in 0..2 + shapes.random.below(5) {
        let thing = format!(
            "#/components/schemas/Thing{}",
            shapes.random.below(schemas.len())
        );
        let (path, operations) = random_operations(&mut shapes, i, &thing);
        paths.insert(path, operations);
    }
    let document = json!({
        "openapi": if v31 { "3.1.0" } else { "3.0.3" },
        "info": {"title": format!("Random document {seed}"), "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        },
        "security": [{"key": []}],
    });
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("openapi.json"), text)?;
    let profile = format!(
        "vendor: {name}\ntitle: Random document {seed}\nservers: {{live: 'https://random.invalid'}}\ndefault_server: live\ncredentials: {{key: {{}}}}\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        X-Key: {{credential: key}}\nerrors:\n  message: /message\n"
    );
    std::fs::write(dir.join("vendor.yaml"), profile)
}

/// A path and its operations: a GET with parameters in every place, a write with a body of
/// some media type.
fn random_operations(shapes: &mut Shapes<'_>, i: usize, thing: &str) -> (String, Value) {
    let id_type = ["string", "integer"][shapes.random.below(2)];
    let mut parameters = vec![
        json!({"name": "thing_id", "in": "path", "required": true, "schema": {"type": id_type}}),
    ];
    let query = match shapes.random.below(5) {
        0 => json!({"name": "limit", "in": "query", "schema": shapes.scalar()}),
        1 => {
            json!({"name": "tags", "in": "query", "explode": true, "schema": {"type": "array", "items": {"type": "string"}}})
        }
        2 => {
            json!({"name": "created", "in": "query", "style": "deepObject", "schema": {"type": "object", "properties": {"gt": {"type": "integer"}, "lt": {"type": "integer"}}}})
        }
        3 => {
            json!({"name": "filter", "in": "query", "schema": {"type": "object", "properties": {"state": {"type": "string", "enum": ["open", "closed"]}, "page": {"type": "integer"}}}})
        }
        _ => {
            json!({"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 64}})
        }
    };
    parameters.push(query);
    let get = json!({
        "operationId": format!("getThing{i}"),
        "parameters": parameters,
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": thing}}}},
            "404": {"description": "missing", "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}},
        },
    });
    let media = [
        "application/json",
        "application/vnd.random.v1+json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
    ][shapes.random.below(5)];
    let body_schema = match media {
        "text/plain" => json!({"type": "string"}),
        "multipart/form-data" => {
            json!({"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}, "purpose": {"type": "string"}}})
        }
        "application/x-www-form-urlencoded" => shapes.object(2),
        _ => json!({"$ref": thing}),
    };
    let created = match shapes.random.below(3) {
        0 => json!({"204": {"description": "done"}}),
        1 => {
            json!({"201": {"description": "created", "content": {media_for_response(media): {"schema": {"$ref": thing}}}}})
        }
        _ => {
            json!({"200": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}})
        }
    };
    let write = json!({
        "operationId": format!("writeThing{i}"),
        "parameters": [{"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": shapes.random.chance(70), "content": {media: {"schema": body_schema}}},
        "responses": created,
    });
    let method = ["post", "put", "patch"][shapes.random.below(3)];
    (
        format!("/things{i}/{{thing_id}}"),
        json!({"get": get, method: write}),
    )
}

fn media_for_response(request: &str) -> &'static str {
    if request == "application/vnd.random.v1+json" {
        "application/vnd.random.v1+json"
    } else {
        "application/json"
    }
}
