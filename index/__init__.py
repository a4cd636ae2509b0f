"""text -> clean documents -> chunks and sentences -> vectors + BM25 -> a saved index with a manifest.

Public API (import from the submodules; nothing heavy is imported here):
    index.store.build_index, index.store.load_index, index.store.ensure_index, index.store.index_status
    index.loading.load_corpus, index.chunking.segment, index.embeddings.Encoder
    index.types (Document, Chunk, Sentence, Hit, Citation, Answer, ...)
"""
