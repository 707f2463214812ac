-- The name of the person behind an account (王芳), shown on pages, letters and reports
-- instead of the login name.
ALTER TABLE users ADD COLUMN display_name TEXT;
