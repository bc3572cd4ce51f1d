Feature: Choosing the hosts of a deploy
  Every kind of filter, combined; "I expect N hosts" makes the count part of the contract.

  Scenario: One host by identity
    Given I want to update hosts with identity dev1.fr.example.com
    And I expect 1 host
    When I restart the service httpd
    Then the service httpd should be running

  Scenario: Hosts by identity regex
    Given I want to update hosts with identity /^web1\./
    And I want to pre-discover how many hosts to update
    And I expect 3 hosts
    Then the nrpe check check_load should pass

  Scenario: A compound filter
    Given I want to update hosts matching "(roles::web_server or roles::db_server) and not country=us"
    And I expect 3 hosts
    And I want to pre-discover how many hosts to update
    Then the service httpd should be running

  Scenario: Numeric and nested facts
    Given I want to update hosts with fact memory_mb>20000
    And I want to update hosts with fact processors.count>=8
    And I expect 1 host
    Then the nrpe check check_disk should report OK

  Scenario: A class regex and an agent filter
    Given I want to update hosts with class /^roles::(web|db)_server$/
    And I want to update hosts with agent nrpe
    And I want to update hosts matching "os.family =~ /^debian$/i"
    And I expect 1 host
    Then the package version for mywebapp should be 4.2.6-2.el5
