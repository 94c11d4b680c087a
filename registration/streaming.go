package registration

// StreamingShape returns the streaming shape of a method from whether its
// client and its server stream: StreamingUnary, StreamingClient,
// StreamingServer or StreamingBidi. Descriptors, gRPC's service info and
// server reflection each say it with two booleans; this is the one place
// that names the shape.
func StreamingShape(clientStreaming, serverStreaming bool) string {
	switch {
	case clientStreaming && serverStreaming:
		return StreamingBidi
	case clientStreaming:
		return StreamingClient
	case serverStreaming:
		return StreamingServer
	}
	return StreamingUnary
}
