//! `application/x-www-form-urlencoded` request bodies with nested keys (Stripe's style, the
//! OpenAPI `deepObject` style): the generated code serialises the typed body as JSON, and the
//! runtime writes it as a form before signing: `metadata[order]=6735`,
//! `items[0][price]=price_1`, `expand[0]=customer`. Null fields are left out.

use serde_json::Value;

/// The form text of a serialised body (an object).
pub fn encode(body: &Value) -> Result<String, String> {
    let object = body
        .as_object()
        .ok_or("a form body must be an object of fields")?;
    let mut pairs = Vec::new();
    for (name, value) in object {
        flatten(name.clone(), value, &mut pairs);
    }
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        form.append_pair(key, value);
    }
    Ok(form.finish())
}

fn flatten(key: String, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::String(text) => pairs.push((key, text.clone())),
        Value::Bool(_) | Value::Number(_) => pairs.push((key, value.to_string())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{key}[{i}]"), item, pairs);
            }
        }
        Value::Object(object) => {
            for (name, inner) in object {
                flatten(format!("{key}[{name}]"), inner, pairs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_fields_go_in_brackets() {
        let body = json!({"amount": 2000, "currency": "eur", "capture": false, "description": null,
            "metadata": {"order": "6735"}, "items": [{"price": "p_1", "quantity": 2}], "expand": ["customer"],
            "note": "a&b=c d"});
        let form = encode(&body).unwrap();
        // Field order follows serde_json's map, which depends on features other crates enable.
        let mut pairs: Vec<&str> = form.split('&').collect();
        pairs.sort_unstable();
        assert_eq!(
            pairs.join("&"),
            "amount=2000&capture=false&currency=eur&expand%5B0%5D=customer&items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2&metadata%5Border%5D=6735&note=a%26b%3Dc+d"
        );
        assert!(encode(&json!([1])).is_err());
    }
}
