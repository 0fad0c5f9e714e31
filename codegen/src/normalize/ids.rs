//! Every operation gets a snake_case operationId: the vendor's own, else one from its summary,
//! else one from its method and path. Deterministic, so regenerating never renames an
//! operation; duplicates are reported.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Context, OperationSummary, each_operation};

pub(super) fn assign(doc: &mut Value, _: &mut Context<'_>) {
    each_operation(doc, |_, site, operation| {
        let from = |text: Option<&Value>| {
            let id = snake_case(text?.as_str()?);
            (!id.is_empty()).then_some(id)
        };
        let id = from(operation.get("operationId"))
            .or_else(|| from(operation.get("summary")))
            .unwrap_or_else(|| snake_case(&format!("{} {}", site.method, site.path)));
        operation.insert("operationId".into(), Value::String(id));
    });
}

pub(super) fn duplicates(operations: &[OperationSummary], context: &mut Context<'_>) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for operation in operations {
        if let Some(first) = seen.insert(&operation.id, &operation.pointer) {
            context.problem(
                &operation.pointer,
                format!(
                    "operationId {:?} is also the operationId of #{first}: operationIds must be unique",
                    operation.id
                ),
            );
        }
    }
}

/// `cancelCashout`, `Cancel bulk crypto payment` and `getHTTPStatus` become
/// `cancel_cashout`, `cancel_bulk_crypto_payment` and `get_http_status`.
pub fn snake_case(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let trimmed = out.trim_matches('_');
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("op_{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_covers_the_shapes_vendors_use() {
        assert_eq!(snake_case("cancelCashout"), "cancel_cashout");
        assert_eq!(
            snake_case("Cancel bulk crypto payment"),
            "cancel_bulk_crypto_payment"
        );
        assert_eq!(snake_case("getHTTPStatus"), "get_http_status");
        assert_eq!(
            snake_case("post /api/payments/crypto/bulk/{id}/cancel"),
            "post_api_payments_crypto_bulk_id_cancel"
        );
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(
            snake_case("Create-Invoice  Payment!"),
            "create_invoice_payment"
        );
        assert_eq!(snake_case("3ds verify"), "op_3ds_verify");
    }
}
