-- Facts about a person that another sub-platform establishes and the rules read (a person's
-- self-care from the ability assessment of 养老服务 ...): the newest value of each fact, with the
-- date it holds from and where it came from. The sub-platform keeps its full records itself.
CREATE TABLE person_facts (
    id_number   TEXT NOT NULL,
    fact        TEXT NOT NULL,
    value       INTEGER NOT NULL,
    since       TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (id_number, fact)
) WITHOUT ROWID;
CREATE INDEX person_facts_fact ON person_facts (fact, id_number);
