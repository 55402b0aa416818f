#!/bin/sh
# busybox httpd CGI: POST /cgi-bin/put?NAME stores the request body as /srv/data/NAME, fsynced
# (sync) before the answer, so a power cut after the answer cannot lose it; answers its sha256.
name=$QUERY_STRING
case $name in '' | *[!A-Za-z0-9._-]* | .*) printf 'Status: 400 Bad Request\r\n\r\nbad name\n'; exit 0 ;; esac
[ "$REQUEST_METHOD" = POST ] || { printf 'Status: 405 Method Not Allowed\r\n\r\nPOST only\n'; exit 0; }
dir=${DOCUMENT_ROOT:-/srv/data}
head -c "${CONTENT_LENGTH:-0}" >"$dir/.$name.tmp" && sync && mv "$dir/.$name.tmp" "$dir/$name" && sync ||
  { printf 'Status: 500 Internal Server Error\r\n\r\nwrite failed\n'; exit 0; }
printf 'Content-Type: text/plain\r\n\r\n'
sha256sum "$dir/$name" | cut -d' ' -f1
