<?php

declare(strict_types=1);

// The container's HEALTHCHECK: healthy when /health answers 2xx. PHP's own HTTP client,
// so the image needs no curl.
$port = getenv('PORT') ?: '3000';
$context = stream_context_create(['http' => ['timeout' => 4]]);

exit(@file_get_contents("http://127.0.0.1:{$port}/health", false, $context) === false ? 1 : 0);
