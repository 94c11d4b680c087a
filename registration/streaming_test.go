package registration

import "testing"

func TestStreamingShape(t *testing.T) {
	tests := []struct {
		client, server bool
		want           string
	}{
		{false, false, StreamingUnary},
		{true, false, StreamingClient},
		{false, true, StreamingServer},
		{true, true, StreamingBidi},
	}
	for _, tt := range tests {
		if got := StreamingShape(tt.client, tt.server); got != tt.want {
			t.Errorf("StreamingShape(%v, %v) = %q, want %q", tt.client, tt.server, got, tt.want)
		}
	}
}
