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
//   - "*" matches exactly one segment and "**" zero or more; "**" may only be
//     the last segment of the whole path (before the verb), also when it
//     appears inside a variable. "*" and "**" must make up a whole segment,
//     so "a*" is invalid.
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
package pathtemplate
