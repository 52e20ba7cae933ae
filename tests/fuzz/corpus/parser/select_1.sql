SELECT id FROM emp WHERE false;
SELECT nope FROM emp;
SELECT id FROM emp WHERE nope = 1;
SELECT id FROM emp ORDER BY nope;
SELECT * FROM nope;
SELECT x.id FROM emp;
SELECT id FROM emp ORDER BY 5;
