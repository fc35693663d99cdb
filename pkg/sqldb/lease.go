package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
)

// Lease is held by one process at a time across every server of the shared database: a PostgreSQL
// session-level advisory lock, taken on a connection of its own. When its holder dies, PostgreSQL
// ends the session and the lock is free for the next server that asks.
type Lease struct {
	db   *DB
	key  int64
	mu   sync.Mutex
	conn *sql.Conn
}

// Lease answers the lease named key (one per kind of work).
func (d *DB) Lease(key int64) *Lease { return &Lease{db: d, key: key} }

// Held says whether this process holds the lease, taking it when it is free. A held lease whose
// connection is found broken is given up (PostgreSQL has released it with the session).
func (l *Lease) Held(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if err := l.conn.PingContext(ctx); err == nil {
			return true
		}
		discard(l.conn)
		l.conn = nil
	}
	conn, err := l.db.db.Conn(ctx)
	if err != nil {
		return false
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&ok); err != nil || !ok {
		if err != nil {
			discard(conn)
		} else {
			conn.Close()
		}
		return false
	}
	l.conn = conn
	return true
}

// Release gives the lease up.
func (l *Lease) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		discard(l.conn)
		l.conn = nil
	}
}

// discard closes the connection itself rather than returning it to the pool, so that no pooled
// connection keeps a lock whose holder gave it up (its session ends, and the lock with it).
func discard(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	c.Close()
}
