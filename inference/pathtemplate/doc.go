// Package pathtemplate parses the URL path templates of google.api.http
// rules (see google/api/http.proto) and compares them for overlap.
//
// The grammar is:
//
//	Template  = "/" Segments [ Verb ] ;
//	Segments  = Segment { "/" Segment } ;
//	Segment   = "*" | "**" | LITERAL | Variable ;
//	Variable  = "{" FieldPath [ "=" Segments ] "}" ;
//	FieldPath = IDENT { "." IDENT } ;
//	Verb      = ":" LITERAL ;
//
// Parse enforces these rules and reports every violation as an *Error that
// carries the byte offset of the problem:
//
//   - A template starts with "/" and has at least one segment, so the
//     template "/" (with or without a verb) is invalid.
//   - Segments are never empty: "//" and a trailing "/" are rejected, also
//     inside a variable's pattern.
//   - "*" matches exactly one segment and "**" zero or more. A template has
//     at most one "**", also counting those inside variables; a second one
//     is an error, as grpc-gateway's runtime refuses such a pattern. "*" and
//     "**" must make up a whole segment, so "a*" is invalid.
//   - A LITERAL is a non-empty run of RFC 3986 pchar characters other than
//     ':' and '*': unreserved characters (A-Z a-z 0-9 - . _ ~),
//     percent-encodings "%XX" with two hex digits, sub-delims other than '*'
//     (! $ & ' ( ) + , ; =) and '@'. Literals are kept exactly as written;
//     they are not percent-decoded.
//   - An IDENT matches [A-Za-z_][A-Za-z0-9_]*. A field path may be bound by
//     only one variable of a template.
//   - Variables do not nest, must make up a whole segment, must be closed
//     by "}" and, when they have "=", a non-empty pattern. "{name}" is
//     short for "{name=*}".
//   - The verb is the text after the last ':' that follows the last '/' and
//     is outside braces. It must be a non-empty LITERAL.
//
// # Deviations
//
// http.proto's grammar allows "**" only as the last segment of the path
// (before the verb). Published Google APIs break that rule, for instance
// Firestore's "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}"
// and Discovery Engine's
// "/v1/{parent=projects/*/locations/*/dataStores/**}/suggestionDenyListEntries:purge",
// and grpc-gateway and Google's path-template libraries accept and serve
// them: "**" takes whatever the segments after it leave. Parse therefore
// accepts a "**" followed by more segments and records it in the
// Template's Deviations, as a Deviation with Rule RuleDeepWildcardNotLast
// and the offset of the "**", so that callers can warn about it or, in a
// strict mode, refuse it. A template that follows the grammar has nil
// Deviations.
//
// # Errors
//
// An *Error's message quotes the template whole when it is at most 80
// bytes long, and otherwise only a window of it around the offset, with
// "…" marking the ends that were cut; the Error's Template field always
// holds the whole template.
package pathtemplate
