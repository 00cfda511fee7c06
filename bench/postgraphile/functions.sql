-- The benchmark's PostGraphile peer only (make bench-county applies this to the generated
-- gongkai_bench_* database, never to a real one). PostGraphile reflects tables and foreign keys;
-- the kiosk's local view and the full-text search are not tables, so they are written here as the
-- SQL functions PostGraphile exposes: local_documents → Query.localDocuments, search_documents →
-- Query.searchDocuments, documents_search_snippet → Document.searchSnippet (a computed column,
-- which PostGraphile requires in the table's schema).

-- Public documents of the organizations of the unit and of its ancestors (a village: county,
-- town and village organizations), newest first: Gongkai's localItems without micro-power items
-- (the benchmark data have none).
CREATE OR REPLACE FUNCTION public.local_documents(unit_code text) RETURNS SETOF public.documents
LANGUAGE sql STABLE AS $$
    WITH place AS (
        SELECT array_agg(array_to_string(parts[1:i], '/') || '/org:%') AS likes
        FROM public.admin_units u, string_to_array(u.scope_path, '/') AS parts,
             generate_series(1, cardinality(parts)) AS i
        WHERE u.code = unit_code
    )
    SELECT d.* FROM public.documents d, place
    WHERE d.public AND d.scope_path LIKE ANY (place.likes)
    ORDER BY d.published_at DESC, d.id DESC
$$;

-- Public documents whose tokens match every word of the query, best first (Gongkai's order: those
-- whose title and summary hold the words, then the others, newest first in each; migration 0020).
-- Gongkai cuts the query with jieba first; for a single word such as 低保 that is the word itself.
-- Each tier is read in the order of ix_document_search_order, and UNION ALL keeps the tiers' order.
CREATE OR REPLACE FUNCTION public.search_documents(query text) RETURNS SETOF public.documents
LANGUAGE sql STABLE AS $$
    (SELECT d.* FROM public.document_search s
     JOIN public.documents d ON d.id = s.document_id
     WHERE s.head_tsv @@ plainto_tsquery('simple', query) AND d.public
     ORDER BY s.published_at DESC NULLS LAST, s.document_id DESC)
    UNION ALL
    (SELECT d.* FROM public.document_search s
     JOIN public.documents d ON d.id = s.document_id
     WHERE s.tsv @@ plainto_tsquery('simple', query) AND NOT s.head_tsv @@ plainto_tsquery('simple', query)
       AND d.public
     ORDER BY s.published_at DESC NULLS LAST, s.document_id DESC)
$$;

-- About 60 characters of the summary, the body or the title around the first occurrence of the
-- query's first word, HTML-escaped, the word wrapped in <mark> (api.services.search.snippet).
CREATE OR REPLACE FUNCTION public.documents_search_snippet(d public.documents, query text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    word text := lower(split_part(btrim(query), ' ', 1));
    v record;
    f text;
    fields text[];
    pos int := 0;
    chosen text := NULL;
    start int;
    stop int;
    win text;
BEGIN
    SELECT title, summary, body INTO v FROM public.document_versions WHERE id = d.current_version_id;
    fields := ARRAY[
        btrim(regexp_replace(coalesce(v.summary, ''), '\s+', ' ', 'g')),
        btrim(regexp_replace(coalesce(v.body, ''), '\s+', ' ', 'g')),
        btrim(regexp_replace(v.title, '\s+', ' ', 'g'))
    ];
    FOREACH f IN ARRAY fields LOOP
        IF f <> '' AND word <> '' AND strpos(lower(f), word) > 0 THEN
            chosen := f;
            pos := strpos(lower(f), word) - 1;
            EXIT;
        END IF;
    END LOOP;
    IF chosen IS NULL THEN
        chosen := coalesce((SELECT x FROM unnest(fields) AS x WHERE x <> '' LIMIT 1), '');
        pos := 0;
    END IF;
    start := greatest(0, least(pos - 20, length(chosen) - 60));
    stop := least(length(chosen), start + 60);
    win := substr(chosen, start + 1, stop - start);
    win := replace(replace(replace(replace(replace(win, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#x27;');
    IF word <> '' THEN
        win := replace(win, word, '<mark>' || word || '</mark>');
    END IF;
    RETURN (CASE WHEN start > 0 THEN '…' ELSE '' END) || win || (CASE WHEN stop < length(chosen) THEN '…' ELSE '' END);
END
$$;
