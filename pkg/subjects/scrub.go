package subjects

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"regexp"

	"github.com/attest/auditlog/pkg/jobs"
)

// ScrubJobs removes a subject's identifiers (names: every form that names them) from an organization's
// job store: export and report requests and report schedules get them replaced by Erased in their names
// and parameters, and the jobs whose files name them (written with identities revealed) are removed with
// their files. Every job of the organization is looked at. Returns how many requests and schedules were
// scrubbed and how many files deleted.
func ScrubJobs(ctx context.Context, rn *jobs.Runner, orgID int64, names []string) (scrubbed, deleted int, err error) {
	list, err := rn.Store.ListAll(ctx, orgID)
	if err != nil {
		return scrubbed, deleted, err
	}
	for _, j := range list {
		if name, params := Scrub(j.Name, names), Scrub(j.Params, names); name != j.Name || params != j.Params {
			if err := rn.Store.UpdateRequest(ctx, j.ID, name, params); err != nil {
				return scrubbed, deleted, err
			}
			scrubbed++
		}
		if j.File == "" {
			continue
		}
		release, err := rn.Local(ctx, &j)
		if err != nil {
			continue
		}
		hit, err := fileNames(j.File, names)
		release()
		if err == nil && hit {
			if err := rn.Remove(ctx, orgID, j.ID); err != nil {
				return scrubbed, deleted, err
			}
			deleted++
		}
	}
	schedules, err := rn.Store.Schedules(ctx, orgID)
	if err != nil {
		return scrubbed, deleted, err
	}
	for _, sc := range schedules {
		if name, params := Scrub(sc.Name, names), Scrub(sc.Params, names); name != sc.Name || params != sc.Params {
			if err := rn.Store.UpdateScheduleRequest(ctx, sc.ID, name, params); err != nil {
				return scrubbed, deleted, err
			}
			scrubbed++
		}
	}
	return scrubbed, deleted, nil
}

// Scrub replaces every identifier in s (any case) by Erased.
func Scrub(s string, names []string) string {
	for _, n := range names {
		if n == "" {
			continue
		}
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(n))
		s = re.ReplaceAllString(s, Erased)
	}
	return s
}

// fileNames says whether a job's file holds any identifier: read as text, or entry by entry for the
// zipped formats (Excel, evidence packs).
func fileNames(path string, names []string) (bool, error) {
	lower := make([][]byte, 0, len(names))
	for _, n := range names {
		lower = append(lower, bytes.ToLower([]byte(n)))
	}
	holds := func(rd io.Reader) (bool, error) { return streamHolds(rd, lower) }
	if z, err := zip.OpenReader(path); err == nil {
		defer z.Close()
		for _, f := range z.File {
			rc, err := f.Open()
			if err != nil {
				return false, err
			}
			hit, err := holds(rc)
			rc.Close()
			if err != nil || hit {
				return hit, err
			}
		}
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return holds(f)
}

// streamHolds reads rd in chunks, keeping the tail of each for a name cut across two, so a file of any
// size is searched in constant memory; names are lower case, the text is compared lower-cased.
func streamHolds(rd io.Reader, names [][]byte) (bool, error) {
	keep := 0
	for _, n := range names {
		keep = max(keep, len(n)-1)
	}
	buf := make([]byte, 0, 256<<10+keep)
	chunk := make([]byte, 256<<10)
	for {
		n, err := rd.Read(chunk)
		buf = append(buf, bytes.ToLower(chunk[:n])...)
		for _, name := range names {
			if len(name) > 0 && bytes.Contains(buf, name) {
				return true, nil
			}
		}
		if len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}
