-- 网格员分配: the grid workers assigned to each grid of a community, kept by the community.
CREATE TABLE grid_assignments (
    community   TEXT NOT NULL,
    grid        TEXT NOT NULL,
    account     TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_on TEXT NOT NULL,
    PRIMARY KEY (community, grid, account)
);
