package rules

// matcher finds whether any of a set of ASCII literals occurs in a text, case-insensitively, in one
// pass without allocating (Aho-Corasick over lowercased bytes): the prefilter every value goes
// through, so it must cost far less than the patterns it saves.
type matcher struct {
	next [][256]int32 // goto function, completed with failure links
	out  []bool
}

func newMatcher(words []string) *matcher {
	m := &matcher{next: make([][256]int32, 1), out: make([]bool, 1)}
	for _, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := lower(w[i])
			if m.next[s][c] == 0 {
				m.next = append(m.next, [256]int32{})
				m.out = append(m.out, false)
				m.next[s][c] = int32(len(m.next) - 1)
			}
			s = m.next[s][c]
		}
		m.out[s] = true
	}
	// Breadth first: failure links turn the trie into a complete automaton.
	fail := make([]int32, len(m.next))
	var queue []int32
	for c := 0; c < 256; c++ {
		if t := m.next[0][c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = m.out[s] || m.out[fail[s]]
		for c := 0; c < 256; c++ {
			if t := m.next[s][c]; t != 0 {
				fail[t] = m.next[fail[s]][c]
				queue = append(queue, t)
			} else {
				m.next[s][c] = m.next[fail[s]][c]
			}
		}
	}
	return m
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// in says whether any word occurs in s.
func (m *matcher) in(s string) bool {
	state := int32(0)
	for i := 0; i < len(s); i++ {
		state = m.next[state][lower(s[i])]
		if m.out[state] {
			return true
		}
	}
	return false
}
