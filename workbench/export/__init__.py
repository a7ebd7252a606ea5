"""Export accepted work as datasets (NeMo, Hugging Face audiofolder, Kaldi, CSV)."""
