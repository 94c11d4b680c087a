package registration

import "slices"

// Clone returns a deep copy of s: the copy shares no pointer, slice or map
// with s, so that a registration handed out (by the runtime registry, for
// one) can be changed without changing the original. Nil stays nil and an
// empty list stays empty, as the encodings tell them apart.
func (s *Service) Clone() *Service {
	if s == nil {
		return nil
	}
	c := *s
	c.Tags = slices.Clone(s.Tags)
	c.OAuthScopes = slices.Clone(s.OAuthScopes)
	c.Methods = cloneEach(s.Methods, (*Method).Clone)
	c.Capabilities = cloneEach(s.Capabilities, func(cp *Capability) *Capability {
		c := *cp
		c.Methods = slices.Clone(cp.Methods)
		return &c
	})
	c.Dependencies = cloneEach(s.Dependencies, func(d *Dependency) *Dependency {
		c := *d
		c.Candidates = slices.Clone(d.Candidates)
		c.Evidence = slices.Clone(d.Evidence)
		return &c
	})
	c.Events = cloneEach(s.Events, shallow[Event])
	c.Health = shallow(s.Health)
	c.MessageTypes = slices.Clone(s.MessageTypes)
	return &c
}

// Clone returns a deep copy of m, as Service.Clone does.
func (m *Method) Clone() *Method {
	if m == nil {
		return nil
	}
	c := *m
	c.Resource = shallow(m.Resource)
	c.LongRunning = shallow(m.LongRunning)
	c.RequiredFields = slices.Clone(m.RequiredFields)
	c.Bindings = cloneEach(m.Bindings, func(b *Binding) *Binding {
		c := *b
		c.PathParams = cloneEach(b.PathParams, shallow[PathParam])
		c.QueryParams = slices.Clone(b.QueryParams)
		return &c
	})
	return &c
}

// cloneEach copies a list of pointers with clone, keeping nil elements nil.
func cloneEach[T any](s []*T, clone func(*T) *T) []*T {
	if s == nil {
		return nil
	}
	out := make([]*T, len(s))
	for i, v := range s {
		if v != nil {
			out[i] = clone(v)
		}
	}
	return out
}

// shallow copies a struct that holds plain values only.
func shallow[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}
