//! Synthetic vendors of any size, for measuring how generation scales (benches and
//! `codegen/examples/scaling.rs`). Each operation pair is a POST with a JSON body of its own
//! schema (five properties, one an enum) and a GET with a path parameter; auth is an API key.

use std::fmt::Write as _;
use std::path::Path;

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
