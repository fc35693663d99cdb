package retention

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Segment is what one run covers for the default window ("") or one category's: entries in
// [FromNs, CutoffNs) have newly fallen past the window since the run before.
type Segment struct {
	Category string `json:"category,omitempty"`
	Days     int    `json:"days"`
	FromNs   int64  `json:"fromNs"`
	CutoffNs int64  `json:"cutoffNs"`
	Rows     int64  `json:"rows"`
}

// ArchiveFile is an archive written by a run.
type ArchiveFile struct {
	Location string `json:"location"`
	Manifest string `json:"manifest"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Rows     int64  `json:"rows"`
}

// Run statuses.
const (
	RunOK      = "ok"
	RunRefused = "refused"
	RunFailed  = "failed"
)

// Run is one retention run.
type Run struct {
	ID string `json:"id"`
	// Trigger: schedule, catch-up (a night the process was down) or manual.
	Trigger  string       `json:"trigger"`
	At       time.Time    `json:"at"`
	Status   string       `json:"status"`
	Message  string       `json:"message,omitempty"`
	Segments []Segment    `json:"segments"`
	Rows     int64        `json:"rows"`
	Archive  *ArchiveFile `json:"archive,omitempty"`
}

// State is one tenant's stored policy and its runs, newest first.
type State struct {
	Policy    *Policy   `json:"policy,omitempty"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	Runs      []Run     `json:"runs"`
}

// keptRuns bounds the history kept per tenant.
const keptRuns = 60

// Effective is the stored policy, or the default.
func (s State) Effective() Policy {
	if s.Policy != nil {
		return *s.Policy
	}
	return Default()
}

// LastOK is the newest run that covered its segments.
func (s State) LastOK() *Run {
	for i := range s.Runs {
		if s.Runs[i].Status == RunOK {
			return &s.Runs[i]
		}
	}
	return nil
}

// Store keeps State per tenant as files in the backend's data directory.
type Store struct {
	Dir string
	mu  sync.Mutex
}

func (s *Store) path(tenant string) string {
	return filepath.Join(s.Dir, "retention-"+tenant+".json")
}

// Load reads a tenant's state (empty when none).
func (s *Store) Load(tenant string) (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(tenant)
}

func (s *Store) load(tenant string) (State, error) {
	st := State{Runs: []Run{}}
	b, err := os.ReadFile(s.path(tenant))
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("the retention state of %s is unreadable: %w", tenant, err)
	}
	return st, nil
}

// Update changes a tenant's state under the store's lock and writes it atomically.
func (s *Store) Update(tenant string, fn func(*State) error) (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(tenant)
	if err != nil {
		return st, err
	}
	if err := fn(&st); err != nil {
		return st, err
	}
	if len(st.Runs) > keptRuns {
		st.Runs = st.Runs[:keptRuns]
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return st, err
	}
	b, _ := json.MarshalIndent(st, "", " ")
	tmp := s.path(tenant) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return st, err
	}
	return st, os.Rename(tmp, s.path(tenant))
}
